// The points supermarket and ranking (issue 17; run by web/points_market_app_test.go): a township
// administrator, at a desk in Chinese, finds the grid worker (50 points), records two 洗衣液 of 20
// points and sees the balance fall to 10 at once, then is told a third costs more than the
// balance, with both figures; at 360 px in English the page fits and its controls are a finger's
// size. A county supervisor opens 积分排名 on the dashboard: the worker ranks first with the 50
// points earned (spending is not earning), by grid too, and the ranking downloads as Excel
// (saved to XLSX for the Go test to read).
// Env: BASE_URL, PASSWORD, ADMIN, SUPERVISOR (phones), WORKER (name), XLSX (path); optional SHOTS.
import { check, consoleBrowser, env } from './browser.mjs';

const base = env('BASE_URL');
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const shot = async (page, name) => {
  if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/${name}.png`, fullPage: true });
};
const signIn = async (page, app, phone, query = '') => {
  await page.goto(base + '/' + app + '/' + query);
  await page.fill('input[name=phone]', phone);
  await page.fill('input[name=password]', env('PASSWORD'));
  await page.click('form.signin button[type=submit]');
};
// fits: nothing wider than the window; every visible control in the page at least 44 px tall.
const fits = (page, root) => page.evaluate((sel) => {
  const w = document.documentElement.clientWidth;
  const out = [];
  if (document.scrollingElement.scrollWidth > w + 1) out.push('page ' + document.scrollingElement.scrollWidth);
  for (const el of document.querySelectorAll(`${sel} button, ${sel} input, ${sel} select`)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || el.type === 'checkbox') continue;
    if (r.height < 44) out.push(`${el.tagName}[name=${el.name}] ${el.className} ${Math.round(r.height)} px tall`);
    if (r.right > w + 1) out.push(`${el.tagName}[name=${el.name}] ends at ${Math.round(r.right)}`);
  }
  return out;
}, root);

const b = await consoleBrowser();
try {
  // The counter: find the worker, redeem, see the balance fall.
  const a = await b.page('admin', { width: 1366, height: 900 });
  await signIn(a, 'admin', env('ADMIN'));
  await a.waitForSelector('nav.tabs');
  await a.click('a.tab[data-page=market]');
  await a.waitForSelector('[data-test=items][data-loaded=true]');
  await a.fill('input[name=worker]', env('WORKER'));
  const pick = a.locator('[data-test=workers] button[data-member]', { hasText: env('WORKER') });
  await pick.waitFor();
  check((await pick.textContent()).includes('50'), 'the worker shows 50 points: ' + (await pick.textContent()));
  await pick.click();
  check((await a.getAttribute('[data-test=chosen]', 'data-balance')) === '50', 'chosen with 50 points');
  await a.selectOption('select[name=item]', { label: '洗衣液（20 分 · 剩 10 件）' });
  await a.fill('input[name=quantity]', '2');
  await a.click('[data-test=redeem]');
  await a.waitForSelector('[data-test=chosen][data-balance="10"]');
  const note = await a.textContent('[data-test=redeem-note]');
  check(note.includes('扣减 40 分') && note.includes('余额 10 分'), 'the redemption is confirmed: ' + note);
  await a.waitForSelector('[data-test=history] tr[data-redemption]');
  await a.fill('input[name=quantity]', '1');
  await a.click('[data-test=redeem]');
  await a.waitForFunction(() => document.querySelector('[data-test=redeem-note]').textContent.includes('积分不足'));
  const refused = await a.textContent('[data-test=redeem-note]');
  check(refused === '积分不足：余额 10 分，本次需要 20 分', 'refused with the balance and the cost: ' + refused);
  check((await a.getAttribute('[data-test=chosen]', 'data-balance')) === '10', 'the balance stays 10');
  await shot(a, 'market-1366');
  say({ step: 'redeemed', note, refused });

  // A phone-sized window, in English.
  const n = await b.page('narrow', { width: 360, height: 740 });
  await signIn(n, 'admin', env('ADMIN'), '?lang=en');
  await n.waitForSelector('nav.tabs');
  await n.goto(base + '/admin/?lang=en#market');
  await n.waitForSelector('[data-test=items][data-loaded=true]');
  await n.waitForSelector('[data-test=workers][data-loaded=true]');
  const bad = await fits(n, '.market-page');
  check(bad.length === 0, 'fits 360 px: ' + bad.join('; '));
  await shot(n, 'market-360-en');

  // The ranking on the dashboard, and its workbook.
  const s = await b.page('supervisor', { width: 1366, height: 900 });
  await signIn(s, 'dashboard', env('SUPERVISOR'));
  await s.click('[data-test=points]');
  await s.waitForSelector('.points-rank[data-loaded=true]');
  const first = await s.$eval('[data-table=points-ranking] tbody tr[data-code]', (tr) => ({ rank: tr.dataset.rank, points: tr.dataset.points, text: tr.textContent }));
  check(first.rank === '1' && first.points === '50' && first.text.includes(env('WORKER')), 'the worker ranks first with 50 earned: ' + JSON.stringify(first));
  await s.selectOption('select[name=level]', 'grid');
  await s.waitForFunction(() => document.querySelector('[data-table=points-ranking] tbody tr[data-code]')?.dataset.code === '140802001001001');
  await s.check('input[name=per_capita]');
  await s.waitForSelector('.points-rank[data-loaded=true]');
  await shot(s, 'points-rank-1366');
  await s.selectOption('select[name=level]', 'worker');
  await s.waitForSelector('.points-rank[data-loaded=true] [data-table=points-ranking] tbody tr[data-rank="1"]');
  const [download] = await Promise.all([s.waitForEvent('download'), s.click('[data-export=ranking]')]);
  check(download.suggestedFilename().endsWith('.xlsx'), 'an Excel file: ' + download.suggestedFilename());
  await download.saveAs(env('XLSX'));
  // The weekly bulletin of this week names the month's best by points.
  await s.click('[data-test=points-back]');
  await s.click('[data-test=bulletin]');
  await s.waitForSelector('.bulletin[data-loaded=true]');
  await s.click('[data-test=next-week]');
  await s.waitForFunction(() => document.querySelector('.bulletin[data-loaded=true] [data-table=bulletin-points] tbody tr[data-code]'));
  const best = await s.textContent('[data-table=bulletin-points] tbody tr[data-code]');
  check(best.includes(env('WORKER')) && best.includes('50'), 'the bulletin names the worker with 50 points: ' + best);
  await shot(s, 'bulletin-points-1366');
  const z = await b.page('supervisor-narrow', { width: 360, height: 740 });
  await signIn(z, 'dashboard', env('SUPERVISOR'));
  await z.waitForSelector('main.board[data-loaded=true]');
  await shot(z, 'dashboard-360');
  await z.click('[data-test=points]');
  await z.waitForSelector('.points-rank[data-loaded=true]');
  const narrow = await fits(z, '.points-rank');
  check(narrow.length === 0, 'the ranking fits 360 px: ' + narrow.join('; '));
  await shot(z, 'points-rank-360');
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  say({ done: true, first });
} catch (e) {
  if (process.env.SCREENSHOT) await b.screenshots(process.env.SCREENSHOT);
  throw e;
} finally {
  await b.close();
}
