// 积分月度审核 on the dashboard (web/points_audit_app_test.go checks PostgreSQL after): a township
// supervisor opens last month (the default), finds its totals and rows grid by grid, cancels a
// row with a reason in a dialog (refused without one), confirms the month in a dialog that says
// it freezes it, and then finds it confirmed by them with the cancel buttons gone. At 360 px the
// page fits and its controls are tap-sized, in Chinese and in English.
// A county supervisor picks the township to see the same month.
// Prints {"done": true}. Env: BASE_URL, PASSWORD, PHONE_S (the supervisor), NAME_S (their name), PHONE_C (the county's),
// MONTH (last month, 2026-11), ROW (the ledger row to cancel), ROWS (rows of the month), WORKER (the
// member id of the worker with two rows at 140802001001001); SHOTS.
import { check, consoleBrowser, env, shot, signIn, tapTarget } from './browser.mjs';

const base = env('BASE_URL');
const month = env('MONTH');
const row = `.points-audit li[data-id="${env('ROW')}"]`;
const step = (s) => process.stderr.write(`points_audit: ${s}\n`);

async function openAudit(page, query = '') {
  await signIn(page, base + '/dashboard/' + query, env('PHONE_S'), env('PASSWORD'));
  await page.waitForSelector('[data-test=audit]');
  await page.click('[data-test=audit]');
  await page.waitForSelector(`.points-audit[data-loaded=true][data-month="${month}"]`);
}

// overflow: what sticks out of the width, or the page wider than it.
function overflow(page, width) {
  return page.evaluate((w) => {
    const out = [];
    for (const el of document.querySelectorAll('.points-audit *')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.right > w + 0.5 && !el.closest('.scroll')) out.push(`${el.tagName}.${el.className} ends at ${Math.round(r.right)}`);
    }
    if (document.scrollingElement.scrollWidth > w + 1) out.push('page ' + document.scrollingElement.scrollWidth);
    return out;
  }, width);
}

async function narrow(b, name, query) {
  const p = await b.page(name, { width: 360, height: 780 });
  await openAudit(p, query);
  const o = await overflow(p, 360);
  check(o.length === 0, `fits 360 px (${name}): ` + o.join('; '));
  for (const sel of ['[data-test=audit-back]', '[data-table=audit-workers] tbody tr[data-code] td', `.audit-month[data-month="${month}"]`, '.points-audit input[name=month]']) {
    check(await p.isVisible(sel), `${sel} is shown at 360 px (${name})`);
    check(await tapTarget(p, sel, 360), `${sel} is tap-sized at 360 px (${name})`);
  }
  return p;
}

const b = await consoleBrowser();
try {
  step('at 360 px, before the audit');
  const phone = await narrow(b, 'phone', '');
  check(await tapTarget(phone, `${row} [data-test=audit-cancel]`, 360), 'the cancel button is tap-sized at 360 px');
  check(await tapTarget(phone, '[data-test=audit-confirm]', 360), 'the confirm button is tap-sized at 360 px');
  await shot(phone, 'audit-open-360');

  step('at a desk: last month, its totals and rows');
  const desk = await b.page('desk', { width: 1366, height: 900 });
  await openAudit(desk);
  check((await desk.textContent('[data-test=audit]')) === '月度审核', 'the button is 月度审核');
  check((await desk.inputValue('.points-audit input[name=month]')) === month, 'last month is open');
  check((await desk.textContent('[data-test=audit-open]')).includes('未确认'), 'the month is open');
  const rows = await desk.$$eval('.points-audit li.audit-row', (l) => l.length);
  check(rows === Number(env('ROWS')), `the month's rows: ${rows}`);
  check((await desk.$$eval('.audit-grid', (l) => l.length)) === 2, 'the rows under their two grids');
  check((await desk.$$eval('[data-table=audit-workers] tbody tr[data-code]', (l) => l.length)) === 2, 'two workers totalled');
  check((await desk.textContent('[data-test=audit-totals]')).includes('获得 4 分'), 'the totals: ' + (await desk.textContent('[data-test=audit-totals]')));
  await shot(desk, 'audit-open-1366');

  step("a worker's rows, then everyone's again");
  await desk.click(`[data-table=audit-workers] tbody tr[data-code="140802001001001:${env('WORKER')}"]`);
  await desk.waitForFunction(() => document.querySelector('.points-audit[data-loaded=true]') && document.querySelectorAll('.points-audit li.audit-row').length === 2);
  check(await desk.isVisible('[data-test=audit-all]'), 'a way back to every worker');
  await desk.click('[data-test=audit-all]');
  await desk.waitForFunction((n) => document.querySelector('.points-audit[data-loaded=true]') && document.querySelectorAll('.points-audit li.audit-row').length === n, Number(env('ROWS')));

  step('cancel a row: refused without a reason, then done');
  await desk.click(`${row} [data-test=audit-cancel]`);
  await desk.waitForSelector('dialog.audit-dialog[open] textarea[name=reason]');
  check((await desk.textContent('dialog.audit-dialog')).includes('撤销'), 'the cancel dialog');
  await shot(desk, 'audit-cancel-dialog-1366', false);
  await desk.click('dialog.audit-dialog [data-test=dialog-yes]');
  await desk.waitForFunction(() => document.querySelector('dialog.audit-dialog [role=alert]')?.textContent.includes('请填写撤销原因'));
  await desk.fill('dialog.audit-dialog textarea[name=reason]', '隐患排查记录不实，现场核实无此隐患');
  await desk.click('dialog.audit-dialog [data-test=dialog-yes]');
  await desk.waitForSelector(`${row}[data-cancelled=true]`);
  check(!(await desk.$('dialog.audit-dialog[open]')), 'the dialog closed');
  check((await desk.textContent(row)).includes('已撤销'), 'the row says it is cancelled');
  check(!(await desk.$(`${row} [data-test=audit-cancel]`)), 'a cancelled row has no cancel button');

  step('confirm the month');
  await desk.click('[data-test=audit-confirm]');
  await desk.waitForSelector('dialog.audit-dialog[open]');
  check((await desk.textContent('dialog.audit-dialog')).includes('冻结'), 'the dialog says the month freezes');
  await shot(desk, 'audit-confirm-dialog-1366', false);
  await desk.click('dialog.audit-dialog [data-test=dialog-yes]');
  await desk.waitForSelector('.points-audit[data-loaded=true][data-confirmed=true]');
  const said = await desk.textContent('[data-test=audit-confirmed]');
  check(said.includes(env('NAME_S')) && said.includes('已确认'), 'confirmed by the supervisor: ' + said);
  check((await desk.$$('[data-test=audit-cancel]')).length === 0, 'no cancel buttons in a confirmed month');
  check(!(await desk.$('[data-test=audit-confirm]')), 'no confirm button in a confirmed month');
  check(!!(await desk.$(`.audit-month[data-month="${month}"][data-state=confirmed]`)), 'the month shows confirmed in the year');
  await shot(desk, 'audit-confirmed-1366');

  step('this month cannot be confirmed yet'); // in January last month's year has no current month
  const current = await desk.$('.audit-month[data-state=current]');
  if (current) {
    const m = await current.evaluate((e) => e.dataset.month);
    await current.click();
    await desk.waitForSelector(`.points-audit[data-loaded=true][data-month="${m}"]`);
    check(!(await desk.$('[data-test=audit-confirm]')), 'no confirm button for the current month');
    check((await desk.textContent('[data-test=audit-open]')).includes('月末后方可确认'), 'the current month says why');
  }

  step('the county supervisor comes from 积分排名 and picks the township');
  const county = await b.page('county', { width: 1366, height: 900 });
  await signIn(county, base + '/dashboard/', env('PHONE_C'), env('PASSWORD'));
  await county.waitForSelector('[data-test=points]');
  await county.click('[data-test=points]');
  await county.click('.points-rank [data-test=points-audit]');
  await county.waitForSelector(`.points-audit[data-loaded=true][data-month="${month}"]`);
  check((await county.inputValue('.points-audit select[name=township]')) === '140802001', 'the township is picked');
  check((await county.textContent('[data-test=audit-confirmed]')).includes(env('NAME_S')), 'the county sees the confirmation');

  step('at 360 px after the audit, in Chinese and English');
  const after = await narrow(b, 'after', '');
  check((await after.$$('[data-test=audit-cancel]')).length === 0, 'no cancel buttons at 360 px either');
  await shot(after, 'audit-confirmed-360');
  const en = await narrow(b, 'en', '?lang=en');
  check((await en.textContent('[data-test=audit-confirmed]')).includes('Confirmed by'), 'in English');
  await shot(en, 'audit-confirmed-360-en');
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ done: true }) + '\n');
} catch (e) {
  if (process.env.SHOTS) await b.screenshots(process.env.SHOTS + '/audit-failure');
  throw e;
} finally {
  await b.close();
}
