// Issue 5's "done when", in three consoles at once: two mediators of a village centre (A on a
// desk, B at 360 px) and one of the township above. A accepts the case and records a mediation
// attempt with a photo of the minutes (a file that is not an image is refused first, by name);
// B's queue follows live. A escalates; the township's queue gains the case live and both village
// queues lose it, and its history shows the attempt's photo. Along the way: markup in a
// description is shown as text, the photo and the map are drawn, a refusal (422) and someone
// acting first (409) are told in words, the keyboard works, and English is a click away. Prints one JSON line per step for the Go
// test (web/console_app_test.go), which checks PostgreSQL afterwards.
// Env: BASE_URL, PASSWORD, PHONE_A, PHONE_B, PHONE_T, CASE_ID, UNIT, DESCRIPTION, REPORTER_PHONE,
// NAME_A; optional SHOTS (a directory for screenshots along the way).
import { check, consoleBrowser } from './browser.mjs';

const env = process.env;
const base = env.BASE_URL;
const caseID = Number(env.CASE_ID);
const row = `.queue li.case-row[data-case-id="${caseID}"]`;
const caseView = `.case-view[data-case-id="${caseID}"]`;
const liveMs = 1000; // a colleague's action shows within this, without a reload
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
// shown: a stored photo drawn from a blob: URL (fetched with the session), in what sel selects.
const shown = (page, sel) => page.waitForFunction((s) => {
  const img = document.querySelector(s);
  return img && img.src.startsWith('blob:') && img.complete && img.naturalWidth > 0;
}, sel);
// SHOTS=dir keeps screenshots of the pages along the way, to look at the layout.
const shot = async (page, name) => env.SHOTS && page.screenshot({ path: `${env.SHOTS}/${name}.png`, fullPage: true });

async function signIn(page, phone) {
  await page.goto(base + '/console/');
  await page.fill('input[name=phone]', phone);
  await page.fill('input[name=password]', env.PASSWORD);
  await page.click('form.signin button[type=submit]');
  await page.waitForSelector('.queue[data-loaded=true]');
  await page.waitForSelector('.conn[data-conn=online]');
}

// act submits an action's form and resolves when the server has answered, with the time.
async function submit(page, action, fields) {
  const form = `form.act-form[data-action=${action}]`;
  await page.waitForSelector(form);
  for (const [name, value] of Object.entries(fields)) {
    const sel = `${form} [name=${name}]`;
    if ((await page.$eval(sel, (e) => e.tagName)) === 'SELECT') await page.selectOption(sel, value);
    else await page.fill(sel, value);
  }
  const answered = page.waitForResponse((r) => r.url().endsWith(`/api/cases/${caseID}/transitions`) && r.request().method() === 'POST');
  await page.click(`${form} button[type=submit]`);
  const res = await answered;
  return { status: res.status(), at: Date.now() };
}

async function noReload(page) {
  return page.evaluate(() => window.__sameDocument === true);
}

const b = await consoleBrowser();
try {
  const a = await b.page('A');
  const bb = await b.page('B', { width: 360, height: 740 });
  const tw = await b.page('T');
  await Promise.all([signIn(a, env.PHONE_A), signIn(bb, env.PHONE_B), signIn(tw, env.PHONE_T)]);

  // The village queues list the case, queued, in Chinese; the township's does not.
  await a.waitForSelector(`${row}[data-state=queued]`);
  await bb.waitForSelector(`${row}[data-state=queued]`);
  check((await tw.$(row)) === null, 'the township does not see a case still at the village');
  check((await a.textContent('.bar .centre-name')).includes('东阜村'), 'the village centre is named');
  check((await tw.textContent('.bar .centre-name')).includes('安邑街道'), 'the township centre is named');
  const rowText = await a.textContent(row);
  for (const w of ['待受理', '邻里纠纷', '剩余', '东阜村']) check(rowText.includes(w), `the row says ${w}: ${rowText}`);
  check((await a.textContent('.help')).includes('快捷键'), 'the shortcuts are shown');
  check(await bb.evaluate(() => document.documentElement.scrollWidth <= 360), 'nothing wider than 360 px');
  await shot(a, 'queue-desk');
  await shot(bb, 'queue-360');
  check((await bb.$eval(row, (e) => getComputedStyle(e).borderRadius)) !== '0px', 'rows are cards at 360 px');
  for (const p of [a, bb, tw]) await p.evaluate(() => { window.__sameDocument = true; });

  // A opens the case from the keyboard: j selects the first row, Enter opens it.
  await a.keyboard.press('j');
  await a.waitForSelector(`${row}[aria-selected=true]`);
  await a.keyboard.press('Enter');
  await a.waitForSelector(`${caseView}[data-state=queued]`);
  const desc = await a.textContent(`${caseView} .description`);
  check(desc === env.DESCRIPTION, `the description is shown verbatim: ${desc}`);
  check((await a.$(`${caseView} .description *`)) === null, 'markup in the description stays text');
  check((await a.textContent(`${caseView} .facts`)).includes(env.REPORTER_PHONE), 'the reporter and their phone');
  await shown(a, '.case-view .report img[data-sha]');
  await a.waitForSelector(`${caseView} svg.map path.here[data-code="${env.UNIT}"]`);
  await a.waitForSelector(`${caseView} svg.map circle.point`);
  check((await a.$$(`${caseView} svg.map path`)).length >= 3, 'the village with its grids is drawn');

  // B opens it too, then loses the network: B will act on what it saw.
  await bb.click(row);
  await bb.waitForSelector(`${caseView}[data-state=queued] .actions button[data-action=accept]`);
  check(await bb.evaluate(() => document.documentElement.scrollWidth <= 360), 'the case page fits 360 px');
  await bb.context().setOffline(true);
  await bb.waitForSelector('.conn[data-conn=offline]');

  // A accepts.
  const answered = a.waitForResponse((r) => r.url().endsWith('/transitions'));
  await a.click(`${caseView} .actions button[data-action=accept]`);
  check((await answered).status() === 200, 'accepted');
  await a.waitForSelector(`${caseView}[data-state=accepted]`);
  out({ step: 'accepted', by: 'A' });

  // Escalating before any attempt at this tier is refused, and the rule is named.
  await a.keyboard.press('e');
  const early = await submit(a, 'escalate', { reason: '先上报试试' });
  check(early.status === 422, 'escalating before mediating is refused: ' + early.status);
  check((await a.textContent('.action-message.error')).includes('矛盾不上交'), 'the refusal is explained');
  await a.click('form.act-form[data-action=escalate] button.link');

  // B, back online, accepts on the version it saw: told someone acted first, and reloaded.
  await bb.context().setOffline(false);
  await bb.click(`${caseView} .actions button[data-action=accept]`);
  await bb.waitForSelector('.action-message.error');
  check((await bb.textContent('.action-message.error')).includes('其他人已先处理'), 'the stale version is explained');
  await shot(bb, 'case-360-stale');
  await bb.waitForSelector(`${caseView}[data-state=accepted]`);
  await bb.keyboard.press('Escape');
  await bb.waitForSelector(`${row}[data-state=accepted]`);
  await bb.waitForSelector('.conn[data-conn=online]');
  out({ step: 'stale_refused', by: 'B' });

  // A records a mediation attempt (m opens the form) with a photo. A file that only claims to be
  // a PNG is refused by the server (415): the console names it and sends no transition.
  await a.keyboard.press('m');
  const picker = 'form.act-form[data-action=mediate] .picker';
  await a.waitForSelector(picker);
  await a.setInputFiles(`${picker} input[type=file]`, { name: '笔录.png', mimeType: 'image/png', buffer: Buffer.from('这不是图片') });
  await a.waitForSelector(`${picker} .thumbs figure`);
  await a.fill('form.act-form[data-action=mediate] [name=reason]', '双方到村委会协商');
  const refused = a.waitForResponse((r) => r.url().endsWith('/api/photos') && r.request().method() === 'POST');
  await a.click('form.act-form[data-action=mediate] button[type=submit]');
  check((await refused).status() === 415, 'a file that is not an image is refused');
  await a.waitForSelector('.action-message.error:has-text("笔录.png")');
  check((await a.textContent('.action-message.error')).includes('JPEG、PNG、WebP'), 'the refusal says what is accepted');
  await a.click(`${picker} .thumbs figure button`);
  await a.waitForSelector(`${picker} .thumbs figure`, { state: 'detached' });
  await a.setInputFiles(`${picker} input[type=file]`, { name: 'minutes.png', mimeType: 'image/png', buffer: png });
  await a.waitForSelector(`${picker} .thumbs img`);
  await shot(a, 'case-mediate-photo');
  out({ step: 'photo_refused', by: 'A' });

  // The attempt goes with the photo; B's queue follows live.
  const mediated = await submit(a, 'mediate', { reason: '双方到村委会协商，约定三日内清理排水沟', parties: '王某、李某' });
  check(mediated.status === 200, 'mediated: ' + mediated.status);
  await bb.waitForSelector(`${row}[data-state=mediating]`, { timeout: 5000 });
  const mediateMs = Date.now() - mediated.at;
  check(mediateMs < liveMs, `B saw the attempt in ${mediateMs} ms`);
  check(await noReload(bb), 'B did not reload');
  await a.waitForSelector(`${caseView}[data-state=mediating] .timeline li[data-transition=mediate]`);
  check((await a.textContent(`${caseView} .timeline li[data-transition=mediate]`)).includes('王某、李某'), 'the parties are in the history');
  await shown(a, `${caseView} .timeline li[data-transition=mediate] img[data-sha]`);
  out({ step: 'mediated', by: 'A', live_ms: mediateMs });
  await a.keyboard.press('e');
  await a.waitForSelector('form.act-form[data-action=escalate]');
  await shot(a, 'case-desk');

  // A escalates; the township gains the case and both villages lose it, live.
  const escalated = await submit(a, 'escalate', { reason: '涉及宅基地边界，需镇司法所' });
  check(escalated.status === 200, 'escalated: ' + escalated.status);
  await tw.waitForSelector(`${row}[data-state=queued]`, { timeout: 5000 });
  const townshipMs = Date.now() - escalated.at;
  await bb.waitForSelector(row, { state: 'detached', timeout: 5000 });
  await a.waitForSelector(row, { state: 'detached', timeout: 5000 });
  const villageMs = Date.now() - escalated.at;
  check(townshipMs < liveMs && villageMs < liveMs, `live in ${townshipMs} ms (township), ${villageMs} ms (villages)`);
  for (const p of [a, bb, tw]) check(await noReload(p), 'no page reloaded');
  await a.waitForSelector(`${caseView}[data-state=queued][data-centre="140802001"]`);
  check((await a.textContent(`${caseView} .actions`)).includes('您当前不能对此案件操作'), 'the village can no longer act');
  await a.keyboard.press('Escape');
  await a.waitForSelector('.queue-view:not([hidden]) .queue[data-count="0"]');
  out({ step: 'escalated', by: 'A', township_ms: townshipMs, village_ms: villageMs });

  // The township opens it: the whole history, by name, and its own actions.
  await tw.click(row);
  await tw.waitForSelector(`${caseView}[data-state=queued] .actions button[data-action=accept]`);
  const transitions = await tw.$$eval(`${caseView} .timeline li`, (els) => els.map((e) => e.dataset.transition));
  check(JSON.stringify(transitions) === JSON.stringify(['reported', 'accept', 'mediate', 'escalate']), 'history: ' + transitions);
  const escalation = await tw.textContent(`${caseView} .timeline li[data-transition=escalate]`);
  for (const w of ['上报', '涉及宅基地边界，需镇司法所', '村级 → 乡镇级', env.NAME_A]) check(escalation.includes(w), `the escalation says ${w}: ${escalation}`);
  check((await tw.textContent(`${caseView} .description`)) === env.DESCRIPTION, 'escaped for the township too');
  await shown(tw, `${caseView} .timeline li[data-transition=mediate] img[data-sha]`);
  check((await tw.$$(`${caseView} .timeline li[data-transition=mediate] img[data-sha]`)).length === 1, 'the attempt shows its one photo');
  await shot(tw, 'case-township');

  // English is a click away.
  await tw.click('[data-test=lang]');
  await tw.waitForSelector(`${caseView}[data-state=queued]`);
  check((await tw.textContent(`${caseView} .case-head .state`)) === 'Queued', 'English state names');
  check((await tw.textContent('.actions button[data-action=accept]')) === 'Accept', 'English actions');
  await tw.keyboard.press('Escape');
  await shot(tw, 'queue-township-en');

  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  out({ step: 'done' });
} catch (e) {
  await b.screenshots(env.SCREENSHOT ?? '/tmp/console_escalate_failure.png');
  throw e;
} finally {
  await b.close();
}
