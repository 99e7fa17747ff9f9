// A decline (退单) reaches the centre above live. The township mediator's console is open; the
// village mediator declines a case; without a reload the township's queue gets the case as a new
// arrival (highlighted, counted in the title and the 新案件 chip) and its 待裁定退单 panel lists
// it with the reason code, the words and the two rulings; the township overrules from the panel,
// and the panel and the row go, while the village's console gets the case back live.
// Run by web/console_rulings_app_test.go.
// Env: BASE_URL, PASSWORD, PHONE_M (village mediator), PHONE_T (township mediator), CASE_ID;
// SHOTS (optional): a directory for screenshots.
import { check, consoleBrowser, consoleSignIn as signIn, shot, tapTarget as fits } from './browser.mjs';

const env = process.env;
const caseID = Number(env.CASE_ID);
const row = `.queue li.case-row[data-case-id="${caseID}"]`;
const caseView = `.case-view[data-case-id="${caseID}"]`;
const panel = '[data-test=declines-to-rule]';
const item = `${panel} li.dn-row[data-case-id="${caseID}"]`;

const b = await consoleBrowser();
try {
  const township = async (width) => {
    const tp = await b.page('T' + width, { width, height: width === 360 ? 740 : 900 });
    await signIn(tp, env.PHONE_T);
    await tp.waitForSelector('.queue[data-loaded=true][data-centre="140802001"]');
    await tp.waitForSelector('.conn[data-conn=online]');
    return tp;
  };
  const wide = await township(1366);
  const narrow = await township(360);
  check(await wide.isHidden(panel), 'no panel while nothing waits');
  check((await wide.$(row)) === null, 'the village case is not in the township queue yet');

  // The village declines it.
  const m = await b.page('M', { width: 1366, height: 900 });
  await signIn(m, env.PHONE_M);
  await m.waitForSelector(`${row}[data-state=queued]`);
  await m.click(row);
  await m.click(`${caseView} .actions button[data-action=decline]`);
  const form = 'form.act-form[data-action=decline]';
  await m.selectOption(`${form} select[name=reason_code]`, 'wrong_address');
  await m.fill(`${form} textarea[name=reason]`, '地址在邻村，不属本村');
  await m.click(`${form} button[type=submit]`);
  await m.waitForSelector(`${caseView}[data-state=declined]`);

  // Live in both township consoles, no reload: a highlighted arrival, counted, and in the panel.
  for (const tp of [wide, narrow]) {
    await tp.waitForSelector(`${row}[data-state=declined][data-fresh=true]`, { timeout: 10_000 });
    await tp.waitForSelector(`${item}[data-fresh=true]`, { timeout: 10_000 });
    check((await tp.getAttribute(panel, 'data-count')) === '1', 'one decline to rule on');
    check((await tp.getAttribute('[data-test=new-chip]', 'data-count')) === '1', 'counted as a new arrival');
    check((await tp.title()).startsWith('(1) '), 'counted in the title: ' + (await tp.title()));
    check((await tp.textContent(`${item} .reason-code`)) === '地址有误', 'the reason code');
    check((await tp.textContent(`${item} .dn-reason`)) === '地址在邻村，不属本村', 'the words');
    check((await tp.textContent(`${item} .dn-meta`)).includes('东阜村'), 'the centre that declined it');
    const rulings = await tp.$$eval(`${item} .dn-buttons button`, (els) => els.map((e) => e.dataset.action));
    check(JSON.stringify(rulings) === '["decline_uphold","decline_overrule"]', 'the two rulings: ' + rulings);
  }
  for (const a of ['decline_uphold', 'decline_overrule']) {
    check(await fits(narrow, `${item} button[data-action=${a}]`, 360), a + ' is a 44 px target inside 360 px');
  }
  check(await narrow.evaluate(() => document.documentElement.scrollWidth <= 360), 'nothing overflows at 360 px');
  await shot(wide, 'decline-live-1366');
  await shot(narrow, 'decline-live-360');

  // The township overrules from the panel, at a phone's width.
  await narrow.click(`${item} button[data-action=decline_overrule]`);
  const overrule = 'form.act-form[data-action=decline_overrule]';
  await narrow.waitForSelector(overrule);
  await narrow.fill(`${overrule} textarea[name=reason]`, '经核实地址无误，请村调解室受理');
  await narrow.click(`${overrule} button[type=submit]`);
  await narrow.waitForSelector(`${caseView}[data-state=queued] .timeline li[data-transition=decline_overrule]`);
  // Back to the queue: nothing waits any more, here or on the other township console.
  for (const tp of [narrow, wide]) {
    if (tp === narrow) await tp.goBack();
    await tp.waitForSelector(`${panel}[data-count="0"]`, { state: 'attached', timeout: 10_000 });
    await tp.waitForSelector(row, { state: 'detached', timeout: 10_000 });
    check(await tp.isHidden(panel), 'the panel goes once ruled on');
  }
  // The village has it back, live, to work again.
  await m.waitForSelector(`${caseView}[data-state=queued] .actions button[data-action=accept]`, { timeout: 10_000 });
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ step: 'ruled' }) + '\n');
} catch (e) {
  await b.screenshots(env.SCREENSHOT ?? '/tmp/console_decline_live_failure.png');
  throw e;
} finally {
  await b.close();
}
