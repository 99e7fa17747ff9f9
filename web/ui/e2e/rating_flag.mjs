// 五面红旗 on the dashboard: a county supervisor opens 评星定级, awards 平安红旗 to a village
// whose self-assessment was reviewed and publicly shown, then removes it (摘旗) with a reason.
// After each decision the counts per level, the village's colour on the map and its indicator
// sheet follow. Run by web/rating_app_test.go. Env: BASE_URL, PASSWORD, PHONE_C, VILLAGE;
// SHOTS (optional). Prints {"done": true}.
import { check, consoleBrowser, env, shot, signIn, tapTarget } from './browser.mjs';

const step = (s) => process.stderr.write(`rating_flag: ${s}\n`);
const village = env('VILLAGE');
const none = '#e3e5e8', one = '#fbd3cf'; // rating_map.ts heldColours[0], [1]

const counts = (page) => page.$$eval('.rating-counts .kpi[data-held]', (els) =>
  Object.fromEntries(els.map((e) => [e.dataset.held, e.dataset.value])));
const colourOf = (page) => page.$eval('.ratings .map-chart', (e, v) => JSON.parse(e.dataset.colours ?? '{}')[v], village);
const waitFor = (page, fn, arg) => page.waitForFunction(fn, arg, { timeout: 15_000 });

const b = await consoleBrowser();
try {
  step('the county supervisor opens 评星定级');
  const p = await b.page('C1366', { width: 1366, height: 900 });
  await signIn(p, env('BASE_URL') + '/dashboard/#ratings', env('PHONE_C'), env('PASSWORD'));
  await p.waitForSelector('.ratings[data-loaded=true]');
  await waitFor(p, (v) => JSON.parse(document.querySelector('.ratings .map-chart')?.dataset.colours ?? '{}')[v] !== undefined, village);
  let c = await counts(p);
  check(c['0'] === '2' && c['1'] === '0' && c['5'] === '0', 'before: counts ' + JSON.stringify(c));
  check(await colourOf(p) === none, 'before: the village is pale');

  step('its sheet: the notice has ended, 平安红旗 passes');
  await p.click(`[data-table=ratings] tr[data-code="${village}"]`);
  await p.waitForSelector(`.rating-sheet[data-unit="${village}"][data-state=notice]`);
  const closure = await p.textContent('.rating-mark[data-mark="2"] [data-item=closure]');
  check(closure.includes('事件办结率') && closure.includes('无案件，不计') && closure.includes('≥ 95') && closure.includes('系统计算'),
    'a computed indicator: ' + closure);
  const crime = await p.textContent('.rating-mark[data-mark="2"] [data-item=no_major_crime]');
  check(crime.includes('0 起') && crime.includes('≤ 0') && crime.includes('村级填报') && crime.includes('派出所证明'), 'an entered indicator: ' + crime);
  check(await p.textContent('.rating-mark[data-mark="2"]').then((t) => t.includes('得分 100 / 达标 80')), 'the score of 平安红旗');
  await waitFor(p, () => document.querySelector('[data-item=volunteer] .evidence-photos img')?.naturalWidth > 0);
  await shot(p, 'rating-sheet-before-1366');

  step('award 平安红旗');
  await p.click('.rating-mark[data-mark="2"] [data-act=award]');
  await p.waitForSelector('.rating-mark[data-mark="2"][data-held=true] .badge.held');
  await waitFor(p, () => document.querySelector('.rating-counts .kpi[data-held="1"]')?.dataset.value === '1');
  c = await counts(p);
  check(c['0'] === '1' && c['1'] === '1', 'after the award: counts ' + JSON.stringify(c));
  await waitFor(p, ([v, col]) => JSON.parse(document.querySelector('.ratings .map-chart')?.dataset.colours ?? '{}')[v] === col, [village, one]);
  check(await p.textContent(`[data-table=ratings] tr[data-code="${village}"]`).then((t) => t.includes('平安红旗')), 'the ranking names the flag');
  check(await p.textContent('.rating-sheet [data-test=sheet-state]') === '已授予', 'the assessment is awarded');
  await shot(p, 'rating-awarded-1366');

  step('摘旗 with a reason');
  await p.click('.rating-mark[data-mark="2"] [data-act=remove]');
  await p.fill('.rating-mark[data-mark="2"] .rating-reason input', '发生越级上访，平安指标下滑');
  await p.click('.rating-mark[data-mark="2"] [data-confirm=remove]');
  await p.waitForSelector('.rating-mark[data-mark="2"][data-held=false] .badge.removed');
  await waitFor(p, () => document.querySelector('.rating-counts .kpi[data-held="1"]')?.dataset.value === '0');
  c = await counts(p);
  check(c['0'] === '2' && c['1'] === '0', 'after the removal: counts ' + JSON.stringify(c));
  await waitFor(p, ([v, col]) => JSON.parse(document.querySelector('.ratings .map-chart')?.dataset.colours ?? '{}')[v] === col, [village, none]);
  const trail = await p.textContent('.rating-decisions');
  check(trail.includes('摘除') && trail.includes('发生越级上访，平安指标下滑') && trail.includes('授予'), 'the decisions: ' + trail);
  check(await p.isVisible('.rating-mark[data-mark="2"] [data-act=restore]'), 'the flag may be restored');
  await shot(p, 'rating-removed-1366');

  step('the same at 360 px');
  const m = await b.page('C360', { width: 360, height: 740 });
  await signIn(m, env('BASE_URL') + '/dashboard/#ratings', env('PHONE_C'), env('PASSWORD'));
  await m.waitForSelector('.ratings[data-loaded=true]');
  await m.click(`[data-table=ratings] tr[data-code="${village}"]`);
  await m.waitForSelector(`.rating-sheet[data-unit="${village}"][data-state=awarded]`);
  const width = await m.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `the ratings view is ${width} px wide at 360`);
  check(await tapTarget(m, '.rating-mark[data-mark="2"] [data-act=restore]', 360), 'the restore button is a 44 px tap target');
  await shot(m, 'rating-360');
  await m.evaluate(() => document.querySelector('.rating-sheet')?.scrollIntoView());
  await shot(m, 'rating-sheet-360', false);

  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ done: true }) + '\n');
} catch (e) {
  await b.screenshots(process.env.SCREENSHOT ?? '/tmp/rating_flag_failure.png');
  throw e;
} finally {
  await b.close();
}
