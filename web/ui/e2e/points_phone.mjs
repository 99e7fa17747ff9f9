// 我的积分 on the phone. The Go test (web/points_app_test.go) has the worker's report accepted,
// settled and verified on time through the server; here the worker opens 我的积分 and finds the
// balance 3, the two rows of this month with the case number, the rules, and the same in
// English; at 360 px nothing overflows and the month buttons are tap-sized; then on a desk.
// Prints {"done": true}. Env: BASE_URL, PASSWORD, PHONE_W, CASE_ID, LON, LAT; SHOTS (optional).
import { check, env, phoneBrowser, shot, signIn, tapTarget } from './browser.mjs';

const base = env('BASE_URL');
const caseId = env('CASE_ID');
const step = (s) => process.stderr.write(`points_phone: ${s}\n`);

const b = await phoneBrowser({ lon: Number(env('LON')), lat: Number(env('LAT')) });
try {
  const page = b.page;
  step('sign in and open 我的积分');
  await signIn(page, base + '/phone/', env('PHONE_W'), env('PASSWORD'));
  await page.click('nav.tabs button[data-tab=points]');
  await page.waitForSelector('[data-test=points-balance]');
  check((await page.textContent('[data-test=points-balance]')).trim() === '3', 'balance 3: ' + await page.textContent('[data-test=points-balance]'));
  check((await page.textContent('nav.tabs button[data-tab=points]')).includes('我的积分'), 'the tab is 我的积分');
  const rows = await page.$$eval('[data-test=point-rows] .point-row', (els) => els.map((e) => e.textContent));
  check(rows.length === 2, 'two rows: ' + JSON.stringify(rows));
  check(rows.some((r) => r.includes('上报事件被受理') && r.includes('+2') && r.includes(`#${caseId}`)), 'the accepted row with its case: ' + JSON.stringify(rows));
  check(rows.some((r) => r.includes('按时核查办结事件') && r.includes('+1') && r.includes(`#${caseId}`)), 'the verified row: ' + JSON.stringify(rows));
  check((await page.textContent('.points-month-sum')).includes('当月得 3 分'), 'this month earned 3');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, 'no overflow at 360 px: ' + width);
  check(await tapTarget(page, '.points-months button[aria-selected=true]', 360), 'the month button is tap-sized');
  await shot(page, 'points-360');

  step('the rules');
  await page.click('[data-test=point-rules] summary');
  const rules = await page.textContent('[data-test=point-rules]');
  check(rules.includes('网格巡查') && rules.includes('每月最多 31 分') && rules.includes('网格长录入，上级审核'), 'the rules: ' + rules.slice(0, 200));
  check(await tapTarget(page, '[data-test=point-rules] summary', 360), 'the rules summary is tap-sized');
  await shot(page, 'points-rules-360');

  step('English');
  await page.click('[data-test=lang]');
  await page.waitForSelector('[data-test=points-balance]', { state: 'detached' }).catch(() => {});
  await page.click('nav.tabs button[data-tab=points]');
  await page.waitForSelector('[data-test=points-balance]');
  check((await page.textContent('nav.tabs button[data-tab=points]')).includes('My points'), 'the tab in English');
  check((await page.textContent('.points-card')).includes('Points balance'), 'the card in English');
  await shot(page, 'points-360-en');

  step('a desk');
  await page.setViewportSize({ width: 1366, height: 800 });
  await shot(page, 'points-1366-en');
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  console.log(JSON.stringify({ done: true }));
} catch (e) {
  if (process.env.SCREENSHOT) await b.page.screenshot({ path: process.env.SCREENSHOT, fullPage: true }).catch(() => {});
  throw e;
} finally {
  await b.close();
}
