// Verification tasks (核查) on the phone. The worker reports two cases; the Go test has a village
// mediator accept, mediate and settle both, and the open app shows them as tasks without a
// reload, with the centre's outcome and notes. Offline, verifying is refused with a clear notice.
// Online, the worker verifies the first with a photo and a note, and sends the second back
// (返工) with a reason, after a stale version (409) made the app reload it.
// Lines printed for the Go test: {"cases":[a,b]} (settle both), {"bump":b} (change b's version
// behind the phone's back), {"verified":a}, {"reworked":b}.
// Run by web/phone_verify_test.go; env: BASE_URL, PHONE, PASSWORD, LON, LAT.
import { check, env, phoneBrowser, signIn } from './browser.mjs';

const base = env('BASE_URL');
const b = await phoneBrowser({ lon: Number(env('LON')), lat: Number(env('LAT')) });
const { context, page } = b;
const step = (s) => process.stderr.write(`phone_verify: ${s}\n`);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
page.on('response', (r) => {
  if (r.status() >= 400) r.text().then((body) => step(`${r.request().method()} ${r.url()} -> ${r.status()} ${body}`), () => {});
});
const photo = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

// caseVersion asks the server (with a session of our own) for a case's version.
let token = '';
async function caseVersion(id) {
  if (!token) {
    const res = await fetch(base + '/api/sessions', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ phone: env('PHONE'), password: env('PASSWORD') }) });
    token = (await res.json()).token;
  }
  const res = await fetch(`${base}/api/cases/${id}`, { headers: { Authorization: 'Bearer ' + token } });
  return (await res.json()).case.version;
}

const narrow = async (what) => {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `${what} is ${width} px wide`);
};

try {
  step('sign in and report two cases');
  await signIn(page, base + '/phone/', env('PHONE'), env('PASSWORD'));
  await page.waitForSelector('.conn[data-conn=online]');
  for (const d of ['两户因排水沟发生争执', '邻居装修噪音纠纷']) {
    await page.selectOption('select[name=category]', 'neighbour');
    await page.fill('textarea[name=description]', d);
    await page.click('form.report button[type=submit]');
    await page.waitForFunction(() => document.querySelector('textarea[name=description]').value === '');
  }
  await page.click('[data-tab=mine]');
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-test=list] .report-row')];
    return rows.length === 2 && rows.every((r) => r.dataset.caseState === 'queued');
  });
  check((await page.textContent('[data-test=list] .report-row .state')) === '待受理', 'queued shown as 待受理');
  const cases = await page.$$eval('[data-test=list] .report-row', (rs) => rs.map((r) => Number(r.dataset.caseId)).reverse());
  check(cases.every((c) => c > 0), 'case numbers');
  const [first, second] = cases;
  say({ cases });

  step('the centre settles both: tasks appear live');
  await page.waitForFunction(() => document.querySelectorAll('.tasks .task').length === 2, null, { timeout: 20_000 });
  await page.waitForFunction(() => document.querySelectorAll('.tasks .task .settled').length === 2, null, { timeout: 10_000 });
  check((await page.textContent('[data-tab=mine] .task-badge')) === '核查 2', 'task badge on the tab');
  const task = page.locator(`.tasks .task[data-case-id="${first}"]`);
  check((await task.textContent()).includes('村级调解中心已办结：调解成功'), 'what the centre did: ' + (await task.textContent()));
  check((await task.textContent()).includes('<b>协议</b>'), 'settle notes shown as text');
  check((await page.$$('.tasks b')).length === 0, 'no markup from notes');
  check((await page.locator(`[data-test=list] .report-row[data-case-id="${first}"] .state`).textContent()) === '待核查', 'row says 待核查');
  await narrow('task list');

  step('open the first task: the settle and the form');
  await task.click();
  await page.waitForSelector('.case-detail[data-state=verifying] [data-test=settle]');
  check((await page.textContent('[data-test=settle] .outcome')) === '调解成功', 'outcome');
  check((await page.textContent('[data-test=settle]')).includes('双方签署调解协议'), 'settle notes');
  check((await page.$$('.history li')).length === 4, 'four history rows');
  await narrow('case page');

  step('offline: verifying says it needs a connection');
  await context.setOffline(true);
  await page.waitForSelector('.verify .offline-note:not([hidden])');
  check(await page.isDisabled('[data-action=verify]'), 'verify disabled offline');
  await context.setOffline(false);
  await page.waitForSelector('.conn[data-conn=online]', { timeout: 40_000 });
  await page.waitForSelector('.verify .offline-note[hidden]', { state: 'attached' });

  step('verify with a photo and a note');
  await page.setInputFiles('.verify input[type=file]', { name: 'site.png', mimeType: 'image/png', buffer: photo });
  await page.waitForSelector('.verify .thumbs img');
  await page.fill('textarea[name=verify_note]', '现场核实，双方已履行协议');
  await page.click('[data-action=verify]');
  await page.waitForSelector('.case-detail[data-state=closed]', { timeout: 15_000 });
  check((await page.textContent('[data-test=verify-message]')) === '已核查通过，案件已办结', 'told it is closed');
  check((await page.$$('.case-detail .verify')).length === 0, 'no form once closed');
  check((await page.textContent('.history li:first-child')).includes('核查通过'), 'verify in the history');
  say({ verified: first });

  step('back: one task left, the first case closed');
  await page.click('[data-test=back]');
  await page.waitForFunction((id) => document.querySelector(`[data-test=list] .report-row[data-case-id="${id}"]`)?.dataset.state === 'closed', first);
  await page.waitForFunction(() => document.querySelectorAll('.tasks .task').length === 1);

  step('rework: a reason is required; a stale version reloads');
  await page.click(`.tasks .task[data-case-id="${second}"]`);
  await page.waitForSelector('.case-detail[data-state=verifying] .verify');
  const seen = Number(await page.getAttribute('.case-detail', 'data-version'));
  await page.click('[data-action=rework]');
  check((await page.textContent('[data-test=verify-message]')) === '返工请填写原因', 'reason required');
  say({ bump: second });
  for (let i = 0; (await caseVersion(second)) === seen; i++) {
    check(i < 100, 'the version never changed');
    await new Promise((r) => setTimeout(r, 100));
  }
  await page.fill('textarea[name=verify_note]', '噪音仍在，未整改');
  await page.click('[data-action=rework]');
  await page.waitForFunction(() => document.querySelector('[data-test=verify-message]').textContent.includes('已刷新'));
  check(Number(await page.getAttribute('.case-detail', 'data-version')) > seen, 'reloaded to the new version');
  check((await page.inputValue('textarea[name=verify_note]')) === '噪音仍在，未整改', 'the note is kept');
  await page.click('[data-action=rework]');
  await page.waitForSelector('.case-detail[data-state=accepted]', { timeout: 15_000 });
  check((await page.textContent('[data-test=verify-message]')).startsWith('已返工'), 'told it went back');
  say({ reworked: second });
  await page.click('[data-test=back]');
  await page.waitForFunction(() => document.querySelectorAll('.tasks .task').length === 0);
  check(await page.isHidden('[data-tab=mine] .task-badge'), 'no task badge left');

  step('English');
  await page.click('[data-test=lang]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.click('[data-tab=mine]');
  await page.waitForFunction((id) => document.querySelector(`[data-test=list] .report-row[data-case-id="${id}"] .state`)?.textContent === 'Accepted', second);
  check((await page.locator(`[data-test=list] .report-row[data-case-id="${first}"] .state`).textContent()) === 'Closed', 'closed in English');
  await page.click(`[data-test=list] .report-row[data-case-id="${second}"]`);
  await page.waitForSelector('.case-detail[data-state=accepted]');
  check((await page.textContent('.history li:first-child strong')) === 'Sent back', 'rework in English');
  await narrow('case page in English');

  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
} catch (e) {
  step('the app shows: ' + (await page.textContent('main').catch(() => '')));
  await page.screenshot({ path: process.env.SCREENSHOT ?? '/tmp/phone_verify_failure.png', fullPage: true }).catch(() => {});
  throw e;
} finally {
  await b.close();
}
