// Extension (延期) and parking (挂账) in the console. The village mediator accepts a case and asks
// for more time (a date and a reason); the township supervisor sees the request on the case
// page and approves it; the mediator parks the case (a review date and a reason), sees that only
// unparking is left, and unparks it. Run by web/console_extend_app_test.go.
// Env: BASE_URL, PASSWORD, PHONE_S (supervisor), PHONE_M (village mediator), CASE_ID, VILLAGE;
// SHOTS: a directory for screenshots at 1366 and 360 px (optional).
import { check, consoleBrowser, consoleSignIn as signIn, shot } from './browser.mjs';

const env = process.env;
const caseID = Number(env.CASE_ID);
const row = `.queue li.case-row[data-case-id="${caseID}"]`;
const caseView = `.case-view[data-case-id="${caseID}"]`;

async function actions(page) {
  return page.$$eval(`${caseView} .actions button.act`, (els) => els.map((e) => e.dataset.action));
}

// A button's box, for the tap-target check at 360 px.
async function tall(page, sel) {
  const box = await (await page.$(sel)).boundingBox();
  return box.height >= 44 && box.x >= 0 && box.x + box.width <= 360;
}

const b = await consoleBrowser();
try {
  const m = await b.page('M', { width: 1366, height: 900 });
  await signIn(m, env.PHONE_M);
  await m.waitForSelector(`${row}[data-state=queued]`);
  await m.click(row);
  await m.waitForSelector(`${caseView} .actions button[data-action=accept]`);
  await m.click(`${caseView} .actions button[data-action=accept]`);
  await m.waitForSelector(`${caseView}[data-state=accepted] .actions button[data-action=extend_request]`);

  // Ask for more time: a date (a day past the deadline to start with) and a reason.
  await m.click(`${caseView} .actions button[data-action=extend_request]`);
  const form = 'form.act-form[data-action=extend_request]';
  check((await m.inputValue(`${form} input[name=until]`)) !== '', 'the date starts filled');
  await m.click(`${form} button[type=submit]`);
  check((await m.textContent('.action-message.error')).includes('请填写延期理由'), 'a reason is asked for first');
  await m.fill(`${form} textarea[name=reason]`, '需等待房屋安全鉴定结果');
  await shot(m, 'extend-request-1366');
  await m.click(`${form} button[type=submit]`);
  await m.waitForSelector(`${caseView} .timeline li[data-transition=extend_request]`);
  await m.waitForSelector(`${caseView} [data-test=extension-pending]`);
  check((await m.textContent(`${caseView} [data-test=extension-pending]`)).includes('需等待房屋安全鉴定结果'), 'the request is shown');
  check(!(await actions(m)).includes('extend_request'), 'one request at a time');
  check(!(await actions(m)).includes('extend_approve'), 'a centre does not approve its own request');

  // The township supervisor approves it from the case page, at a phone's width.
  const s = await b.page('S', { width: 360, height: 740 });
  await signIn(s, env.PHONE_S);
  await s.waitForSelector('.picker button.choice[data-centre="140802001"]');
  await s.click('.picker button.choice[data-centre="140802001"]');
  await s.waitForSelector('.queue[data-loaded=true][data-centre="140802001"]');
  await s.click('[data-test=switch-centre]');
  await s.fill('.picker input[name=centre]', env.VILLAGE);
  await s.click('.picker form.code-form button[type=submit]');
  await s.waitForSelector(`.queue[data-loaded=true][data-centre="${env.VILLAGE}"]`);
  await s.fill('input[name=q]', String(caseID));
  await s.click(row);
  await s.waitForSelector(`${caseView} .actions button[data-action=extend_approve]`);
  const sa = await actions(s);
  check(JSON.stringify(sa) === '["urge","extend_approve","extend_refuse"]', 'the supervisor decides: ' + sa);
  check(await tall(s, `${caseView} .actions button[data-action=extend_approve]`), 'approve is a 44 px target inside 360 px');
  await shot(s, 'extend-decide-360');
  await s.click(`${caseView} .actions button[data-action=extend_approve]`);
  await s.waitForSelector(`${caseView} .timeline li[data-transition=extend_approve]`);
  await s.waitForSelector(`${caseView} [data-test=extension-pending]`, { state: 'detached' });

  // The mediator parks the case: a review date and a reason; only unparking is left.
  await m.reload();
  await m.waitForSelector(`${caseView} .timeline li[data-transition=extend_approve]`);
  await m.click(`${caseView} .actions button[data-action=park]`);
  const park = 'form.act-form[data-action=park]';
  await m.fill(`${park} textarea[name=reason]`, '当事人申请诉讼，等待法院判决');
  await m.click(`${park} button[type=submit]`);
  await m.waitForSelector(`${caseView}[data-state=parked] [data-test=parking]`);
  const ma = await actions(m);
  check(JSON.stringify(ma) === '["park","unpark"]', 'parked, only parking again (a new review date) or unparking is left: ' + ma);
  check((await m.textContent(`${caseView} .state`)) === '挂账', 'the state reads 挂账');
  await shot(m, 'parked-1366');
  const m360 = await b.page('M360', { width: 360, height: 740 });
  await signIn(m360, env.PHONE_M);
  await m360.waitForSelector(`${row}[data-state=parked]`);
  await m360.click(row);
  await m360.waitForSelector(`${caseView} [data-test=parking]`);
  check(await m360.evaluate(() => document.documentElement.scrollWidth <= 360), 'nothing overflows at 360 px');
  await shot(m360, 'parked-360');

  // The dashboard counts it apart: the 挂账 tile, among the open cases.
  await s.goto(env.BASE_URL + '/dashboard/');
  await s.fill('input[name=phone]', env.PHONE_S);
  await s.fill('input[name=password]', env.PASSWORD);
  await s.click('form.signin button[type=submit]');
  await s.waitForFunction(() => document.querySelector('.kpi[data-kpi=parked]')?.dataset.value === '1', null, { timeout: 10_000 });
  check((await s.textContent('.kpi[data-kpi=parked] .label')) === '挂账', 'the tile is named 挂账');
  await s.$eval('.kpi[data-kpi=parked]', (e) => e.scrollIntoView({ block: 'center' }));
  await shot(s, 'dashboard-parked-360', false);
  await m.click(`${caseView} .actions button[data-action=unpark]`);
  await m.waitForSelector(`${caseView}[data-state=accepted] .timeline li[data-transition=unpark]`);
  check((await m.$(`${caseView} [data-test=parking]`)) === null, 'unparked, no parking note');
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ step: 'unparked' }) + '\n');
} catch (e) {
  await b.screenshots(env.SCREENSHOT ?? '/tmp/console_extend_failure.png');
  throw e;
} finally {
  await b.close();
}
