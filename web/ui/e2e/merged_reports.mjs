// 并单 seen from both sides (docs/console.md, docs/dashboard.md): the village mediator opens the
// main case and finds 已并入的上报 (N) listing the merged reports (reporter, time, excerpt,
// distance), follows one to its page, which names the main case and links back to it; then a
// township supervisor's dashboard shows the 并单 tile next to 受理, its number the one the API
// answers, with its explanation. At 1366 px and 360 px, screenshots in SHOTS. One JSON line per
// step for web/merged_reports_app_test.go.
// Env: BASE_URL, PASSWORD, PHONE (the village mediator), PHONE_S (the supervisor), MAIN, DUPS
// (comma-separated, oldest first), MERGED (what the API must answer); optional SHOTS.
import { check, consoleBrowser, env, signIn } from './browser.mjs';

const base = env('BASE_URL');
const main = Number(env('MAIN'));
const dups = env('DUPS').split(',').map(Number);
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const shot = async (page, name) => process.env.SHOTS && page.screenshot({ path: `${process.env.SHOTS}/${name}.png`, fullPage: true });
const card = `.case-view[data-case-id="${main}"] [data-test=merged-reports]`;

const b = await consoleBrowser();
try {
  const desk = await b.page('desk', { width: 1366, height: 900 });
  const phone = await b.page('narrow', { width: 360, height: 740 });
  for (const [p, lang] of [[desk, ''], [phone, '?lang=en']]) {
    await signIn(p, base + '/console/' + lang, env('PHONE'), env('PASSWORD'));
    await p.waitForSelector('.queue[data-loaded=true]');
    await p.goto(base + '/console/' + lang + '#/case/' + main);
    await p.waitForSelector(`${card}[data-count="${dups.length}"]`);
  }

  // The main case: 已并入的上报 (N), oldest first, each with its reporter, excerpt and distance.
  const title = await desk.textContent(`${card} h3`);
  check(title === `已并入的上报 (${dups.length})`, 'card title: ' + title);
  check((await phone.textContent(`${card} h3`)) === `Merged reports (${dups.length})`, 'English card title');
  const rows = await desk.$$eval(`${card} li.merged-report`, (ls) => ls.map((l) => ({
    id: Number(l.dataset.mergedId), text: l.textContent, metres: l.querySelector('[data-test=merged-metres]').textContent })));
  check(JSON.stringify(rows.map((r) => r.id)) === JSON.stringify(dups), 'listed: ' + rows.map((r) => r.id));
  check(rows[0].text.includes('成员0032') && rows[0].text.includes('村东头排水沟'), 'first row: ' + rows[0].text);
  check(rows[0].metres === '相距 22 米', 'distance: ' + rows[0].metres);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `no sideways scroll at 360 px (${overflow})`);
  const small = await phone.$$eval(`${card} a`, (as) => as.filter((a) => a.getBoundingClientRect().height < 44).length);
  check(small === 0, 'links at least 44 px tall');
  for (const [p, name] of [[desk, 'merged-1366'], [phone, 'merged-360']]) {
    await p.$eval(card, (e) => e.scrollIntoView());
    await shot(p, name);
  }
  out({ step: 'listed', rows: rows.length });

  // A merged report's page names its main case and links back to it.
  await desk.click(`${card} li.merged-report[data-merged-id="${dups[0]}"] a`);
  const note = `.case-view[data-case-id="${dups[0]}"] [data-test=merged-into]`;
  await desk.waitForSelector(note);
  const said = await desk.textContent(note);
  check(said === `本上报已并入案件 #${main}，随主案件办理`, 'merged-into note: ' + said);
  check(!(await desk.$(`.case-view[data-case-id="${dups[0]}"] [data-test=merged-reports]`)), 'no merged card on a merged report');
  await shot(desk, 'merged-into-1366');
  await desk.click(`${note} [data-test=main-case-link]`);
  await desk.waitForSelector(`${card}[data-count="${dups.length}"]`);
  out({ step: 'linked' });

  // The dashboard: 并单 next to 受理, the API's number, explained.
  const dash = [await b.page('dash', { width: 1366, height: 900 }), await b.page('dash-narrow', { width: 360, height: 740 })];
  const answered = dash[0].waitForResponse((r) => r.url().includes('/api/stats/summary') && r.status() === 200);
  for (const [p, lang] of [[dash[0], ''], [dash[1], '?lang=en']]) {
    await signIn(p, base + '/dashboard/' + lang, env('PHONE_S'), env('PASSWORD'));
    await p.waitForSelector('.kpi[data-kpi=merged]:not([data-value=""])');
  }
  const api = await (await answered).json(); // what the dashboard was told
  check(api.merged === Number(env('MERGED')), `the API says ${api.merged} merged, want ${env('MERGED')}`);
  const tile = await dash[0].$eval('.kpi[data-kpi=merged]', (e) => ({
    value: e.dataset.value, shown: e.querySelector('.value').textContent, label: e.querySelector('.label').textContent,
    sub: e.querySelector('.sub').textContent, title: e.title,
    after: e.previousElementSibling?.dataset.kpi }));
  check(tile.value === String(api.merged) && tile.shown === String(api.merged), `tile ${tile.value}/${tile.shown}, API ${api.merged}`);
  check(tile.label === '并单' && tile.after === 'received', 'tile label and place: ' + JSON.stringify(tile));
  check(tile.sub === '重复上报，不计入受理' && tile.title.includes('不另计受理'), 'tile explanation: ' + JSON.stringify(tile));
  const received = await dash[0].$eval('.kpi[data-kpi=received]', (e) => e.dataset.value);
  check(received === String(api.received), `received ${received}, API ${api.received}`);
  const en = await dash[1].$eval('.kpi[data-kpi=merged]', (e) => e.querySelector('.label').textContent + ' / ' + e.querySelector('.sub').textContent);
  check(en === 'Merged / duplicates, not in received', 'English tile: ' + en);
  const dashOverflow = await dash[1].evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(dashOverflow <= 0, `dashboard: no sideways scroll at 360 px (${dashOverflow})`);
  for (const [p, name] of [[dash[0], 'dashboard-kpis-1366'], [dash[1], 'dashboard-kpis-360']]) {
    await p.evaluate(() => window.scrollTo(0, 0));
    if (process.env.SHOTS) await p.screenshot({ path: `${process.env.SHOTS}/${name}.png` });
  }
  out({ step: 'tile', merged: api.merged, received: api.received });
  check(b.problems.length === 0, 'page errors: ' + b.problems.join('; '));
  out({ step: 'done' });
} catch (e) {
  if (process.env.SHOTS) await b.screenshots(`${process.env.SHOTS}/failure`);
  throw e;
} finally {
  await b.close();
}
