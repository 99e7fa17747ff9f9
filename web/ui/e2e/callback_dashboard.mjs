// 回访 on the dashboard: the township supervisor sees the callback rate and the satisfaction
// rate as tiles (with their counts), as ranking columns, and as headline rows of this week's
// bulletin. Run by web/callback_app_test.go, which called back two cases today (one 满意, one
// 不满意). Env: BASE_URL, PASSWORD, PHONE_S, VILLAGE; SHOTS (optional). Prints {"done": true}.
import { check, consoleBrowser, env } from './browser.mjs';

const step = (s) => process.stderr.write(`callback_dashboard: ${s}\n`);
const shot = async (page, name) => process.env.SHOTS && page.screenshot({ path: `${process.env.SHOTS}/${name}.png`, fullPage: true });
const tile = (page, key) => page.$eval(`.kpi[data-kpi=${key}]`, (e) => ({ value: e.dataset.value, label: e.querySelector('.label').textContent,
  shown: e.querySelector('.value').textContent, sub: e.querySelector('.sub').textContent }));

const b = await consoleBrowser();
try {
  for (const [name, viewport] of [['1366', { width: 1366, height: 900 }], ['360', { width: 360, height: 740 }]]) {
    step('tiles and ranking at ' + name);
    const s = await b.page('S' + name, viewport);
    await s.goto(env('BASE_URL') + '/dashboard/');
    await s.fill('input[name=phone]', env('PHONE_S'));
    await s.fill('input[name=password]', env('PASSWORD'));
    await s.click('form.signin button[type=submit]');
    await s.waitForFunction(() => document.querySelector('.kpi[data-kpi=satisfaction_rate]')?.dataset.value === '0.5', null, { timeout: 15_000 });
    const sat = await tile(s, 'satisfaction_rate');
    const cb = await tile(s, 'callback_rate');
    check(sat.label === '满意率' && sat.shown === '50.0%' && sat.sub.includes('1') && sat.sub.includes('2'), 'satisfaction tile: ' + JSON.stringify(sat));
    check(cb.label === '回访率' && cb.value === '1' && cb.shown === '100.0%', 'callback tile: ' + JSON.stringify(cb));
    const heads = await s.$$eval('[data-table=units] thead th', (els) => els.map((e) => e.textContent));
    check(heads.includes('回访率') && heads.includes('满意率'), 'ranking columns: ' + heads);
    const row = await s.$eval(`[data-table=units] tbody tr[data-code="${env('VILLAGE')}"]`, (e) => e.textContent);
    check(row.includes('50.0%') && row.includes('100.0%'), 'the village row: ' + row);
    const width = await s.evaluate(() => document.documentElement.scrollWidth);
    check(width <= viewport.width, `the dashboard is ${width} px wide at ${name}`);
    await shot(s, 'dashboard-callback-' + name);
    if (name !== '1366') continue;

    step('the bulletin of this week');
    await s.click('[data-test=bulletin]');
    await s.waitForSelector('.bulletin[data-loaded=true]');
    await s.click('[data-test=next-week]');
    await s.waitForFunction(() => document.querySelector('.bulletin[data-loaded=true] [data-kpi=satisfaction_rate] dd')?.textContent === '50.0%');
    const summary = await s.textContent('.bulletin');
    check(summary.includes('回访2件') && summary.includes('满意率50.0%'), 'the summary says how the callbacks went');
    await shot(s, 'bulletin-callback-1366');
  }
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ done: true }) + '\n');
} catch (e) {
  await b.screenshots(process.env.SCREENSHOT ?? '/tmp/callback_dashboard_failure.png');
  throw e;
} finally {
  await b.close();
}
