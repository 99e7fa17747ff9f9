// Declining a case (退单) and the ruling above, in the console, and the dashboard's 反复退单. The
// village mediator declines a case with a reason code; the township mediator finds it in the
// township's queue (退单待裁决), overrules it with a ruling; the village declines it again; the
// township upholds it and sends it to the next village; the township supervisor's dashboard
// lists it as declined twice. Run by web/console_decline_app_test.go.
// Env: BASE_URL, PASSWORD, PHONE_M (village mediator), PHONE_T (township mediator), PHONE_S
// (township supervisor), CASE_ID, SIBLING (the next village's centre); SHOTS (optional).
import { check, consoleBrowser, shot } from './browser.mjs';

const env = process.env;
const caseID = Number(env.CASE_ID);
const row = `.queue li.case-row[data-case-id="${caseID}"]`;
const caseView = `.case-view[data-case-id="${caseID}"]`;

async function signIn(page, phone, app = 'console') {
  await page.goto(env.BASE_URL + '/' + app + '/');
  await page.fill('input[name=phone]', phone);
  await page.fill('input[name=password]', env.PASSWORD);
  await page.click('form.signin button[type=submit]');
}

async function actions(page) {
  return page.$$eval(`${caseView} .actions button.act`, (els) => els.map((e) => e.dataset.action));
}

async function decline(m, code, words) {
  await m.click(`${caseView} .actions button[data-action=decline]`);
  const form = 'form.act-form[data-action=decline]';
  await m.fill(`${form} textarea[name=reason]`, words);
  await m.click(`${form} button[type=submit]`);
  check((await m.textContent('.action-message.error')).includes('请选择退单原因'), 'a reason code is asked for first');
  await m.selectOption(`${form} select[name=reason_code]`, code);
  await m.click(`${form} button[type=submit]`);
  await m.waitForSelector(`${caseView}[data-state=declined]`);
}

const b = await consoleBrowser();
try {
  const m = await b.page('M', { width: 360, height: 740 });
  await signIn(m, env.PHONE_M);
  await m.waitForSelector(`${row}[data-state=queued]`);
  await m.click(row);
  await m.waitForSelector(`${caseView} .actions button[data-action=decline]`);
  await decline(m, 'wrong_address', '地址在邻村，不属本村');
  check((await actions(m)).length === 0, 'declined, the village has nothing left to do: ' + (await actions(m)));
  check((await m.textContent(`${caseView} .timeline li[data-transition=decline] .reason-code`)).includes('地址有误'), 'the code is in the history');
  await shot(m, 'declined-360');

  // The township's queue holds it, awaiting its ruling; it overrules.
  const tp = await b.page('T', { width: 1366, height: 900 });
  await signIn(tp, env.PHONE_T);
  await tp.waitForSelector(`${row}[data-state=declined]`);
  check((await tp.textContent(`${row} .state`)) === '退单待裁决', 'the queue says it awaits a ruling');
  await tp.click(row);
  await tp.waitForSelector(`${caseView} .actions button[data-action=decline_overrule]`);
  const ta = await actions(tp);
  check(JSON.stringify(ta) === '["decline_uphold","decline_overrule"]', 'the centre above rules: ' + ta);
  await tp.click(`${caseView} .actions button[data-action=decline_overrule]`);
  await tp.fill('form.act-form[data-action=decline_overrule] textarea[name=reason]', '经核实地址无误，请村调解室受理');
  await tp.click('form.act-form[data-action=decline_overrule] button[type=submit]');
  await tp.waitForSelector(`${caseView}[data-state=queued] .timeline li[data-transition=decline_overrule]`);

  // Declined again; this time the township upholds it and sends it to the next village.
  await m.reload();
  await m.waitForSelector(`${caseView}[data-state=queued] .actions button[data-action=decline]`);
  await decline(m, 'not_ours', '围墙属物业管理范围');
  await tp.reload();
  await tp.waitForSelector(`${caseView}[data-state=declined] .actions button[data-action=decline_uphold]`);
  await tp.click(`${caseView} .actions button[data-action=decline_uphold]`);
  const uphold = 'form.act-form[data-action=decline_uphold]';
  const options = await tp.$$eval(`${uphold} select[name=to_centre] option`, (els) => els.map((e) => e.value).filter(Boolean));
  check(options.includes(env.SIBLING) && options.includes('140802001'), 'a sibling or a centre above: ' + options);
  await tp.fill(`${uphold} textarea[name=reason]`, '退单理由成立，改由邻村办理');
  await tp.click(`${uphold} button[type=submit]`);
  check((await tp.textContent('.action-message.error')).includes('请选择改派至'), 'a centre is asked for first');
  await tp.selectOption(`${uphold} select[name=to_centre]`, env.SIBLING);
  await shot(tp, 'uphold-1366');
  await tp.click(`${uphold} button[type=submit]`);
  await tp.waitForSelector(`${caseView}[data-state=queued][data-centre="${env.SIBLING}"]`);

  // The dashboard lists it: declined twice.
  const s = await b.page('S', { width: 360, height: 740 });
  await signIn(s, env.PHONE_S, 'dashboard');
  await s.waitForSelector('[data-test=declines][data-count="1"]', { timeout: 10_000 });
  check((await s.textContent(`[data-test=declines] li[data-case-id="${caseID}"]`)).includes('退单 2 次'), 'declined twice');
  await s.$eval('[data-test=declines]', (e) => e.scrollIntoView({ block: 'center' }));
  check(await s.evaluate(() => document.documentElement.scrollWidth <= 360), 'nothing overflows at 360 px');
  await shot(s, 'dashboard-declines-360', false);
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ step: 'upheld' }) + '\n');
} catch (e) {
  await b.screenshots(env.SCREENSHOT ?? '/tmp/console_decline_failure.png');
  throw e;
} finally {
  await b.close();
}
