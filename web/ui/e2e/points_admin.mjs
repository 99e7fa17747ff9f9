// 积分规则 in the admin app (web/points_admin_app_test.go checks PostgreSQL after): a county
// administrator on a desk finds the seeded scheme, sets 网格巡查's cap to 20 a month, is refused
// a new rule without points, adds 矛盾纠纷排查 +2 (a manual item the township approves); at 360 px
// nothing overflows; a township administrator reads the rules without controls.
// Prints {"done": true}. Env: BASE_URL, PASSWORD, COUNTY, TOWNSHIP (phones); SHOTS (optional).
import { check, consoleBrowser, env, shot } from './browser.mjs';

const base = env('BASE_URL');
const step = (s) => process.stderr.write(`points_admin: ${s}\n`);
const signIn = async (page, phone) => {
  await page.goto(base + '/admin/');
  await page.fill('input[name=phone]', phone);
  await page.fill('input[name=password]', env('PASSWORD'));
  await page.click('form.signin button[type=submit]');
  await page.waitForSelector('nav.tabs');
  await page.click('a.tab[data-page=points]');
  await page.waitForSelector('.point-rules tbody[data-loaded=true]');
};
const saved = async (page, row) => {
  await page.click(`${row} button[data-test=save]`);
  await page.waitForFunction((sel) => document.querySelector(sel + ' .row-note')?.textContent !== '', row);
  return page.textContent(`${row} .row-note`);
};

const c = await consoleBrowser();
try {
  step('the county administrator on a desk');
  const desk = await c.page('desk', { width: 1366, height: 900 });
  await signIn(desk, env('COUNTY'));
  check((await desk.textContent('a.tab[data-page=points]')).includes('积分规则'), 'the tab is 积分规则');
  const codes = await desk.$$eval('.point-rules tbody tr', (rows) => rows.map((r) => r.dataset.code));
  check(codes.length === 14 && codes.includes('patrol') && codes.includes('report_accepted'), 'the 13 seeded rules and a new row: ' + codes);
  await shot(desk, 'admin-points-1366');

  step('patrol: a cap of 20 a month');
  const patrol = '.point-rules tr[data-code=patrol]';
  await desk.fill(`${patrol} input[name=cap_points]`, '20');
  check((await saved(desk, patrol)).includes('已保存'), 'patrol saved');

  step('a new rule: refused without points, then added');
  const add = '.point-rules tr[data-new]';
  await desk.fill(`${add} input[name=code]`, 'dispute_check');
  await desk.fill(`${add} input[name=category]`, '日常巡查');
  await desk.fill(`${add} input[name=indicator]`, '矛盾纠纷排查');
  check((await saved(desk, add)).includes('分值须为'), 'no points: refused in words');
  await desk.fill(`${add} input[name=points]`, '2');
  check((await desk.inputValue(`${add} select[name=approver_tier]`)) === '2', 'a manual rule is approved by the township by default');
  check((await saved(desk, add)).includes('已保存'), 'the new rule saved');
  await desk.waitForSelector('.point-rules tr[data-code=dispute_check]');
  await shot(desk, 'admin-points-saved-1366');

  step('360 px');
  const phone = await c.page('phone', { width: 360, height: 740 });
  await signIn(phone, env('COUNTY'));
  const width = await phone.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, 'no overflow at 360 px: ' + width);
  const save = await (await phone.$('.point-rules tr[data-code=patrol] button[data-test=save]')).boundingBox();
  check(save.height >= 44, 'the save button is tap-sized: ' + save.height);
  await shot(phone, 'admin-points-360', false);
  await phone.$eval('.point-rules tr[data-code=patrol]', (e) => e.scrollIntoView());
  await shot(phone, 'admin-points-360-patrol', false);

  step('a township administrator reads');
  const town = await c.page('town', { width: 1366, height: 900 });
  await signIn(town, env('TOWNSHIP'));
  await town.waitForSelector('[data-test=read-only]');
  check((await town.$$('.point-rules button[data-test=save]')).length === 0, 'no save buttons for a township administrator');
  check((await town.$$('.point-rules tr[data-new]')).length === 0, 'no new row for a township administrator');
  check(c.problems.length === 0, 'no page errors: ' + c.problems.join('; '));
  console.log(JSON.stringify({ done: true }));
} finally {
  await c.close();
}
