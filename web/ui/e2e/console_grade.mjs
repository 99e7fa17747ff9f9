// Risk grading and leader ownership in the console (docs/console.md "Risk grading"): the village
// mediator accepts a case graded 疑难 + 重大, which sends it to the county; the county's queue (on
// a 360-px phone) shows it live with its grade; the county mediator accepts and regrades it with
// a reason; the county leader takes ownership (领导包案), the queue shows the leader's name and
// the 领导包案 filter keeps it; the dashboard counts it. Run by web/console_grade_app_test.go.
// Env: BASE_URL, PASSWORD, PHONE_V (village mediator), PHONE_C (county mediator), PHONE_L (county
// leader), CASE_ID, SHOTS (a directory for screenshots, optional).
import { check, consoleBrowser, signIn } from './browser.mjs';

const env = process.env;
const caseID = Number(env.CASE_ID);
const row = `.queue li.case-row[data-case-id="${caseID}"]`;
const caseView = `.case-view[data-case-id="${caseID}"]`;
const shot = async (p, name) => {
  if (env.SHOTS) await p.screenshot({ path: `${env.SHOTS}/${name}.png`, fullPage: true });
};

const b = await consoleBrowser();
try {
  const v = await b.page('V', { width: 1366, height: 800 });
  const c = await b.page('C', { width: 360, height: 740 });
  const l = await b.page('L', { width: 1366, height: 800 });
  await signIn(c, env.BASE_URL + '/console/', env.PHONE_C, env.PASSWORD);
  await c.waitForSelector('.queue[data-loaded=true][data-centre="140802"]');
  await c.waitForSelector('.conn[data-conn=online]');

  // Grade at acceptance: 疑难 + 重大 beside 受理.
  await signIn(v, env.BASE_URL + '/console/', env.PHONE_V, env.PASSWORD);
  await v.waitForSelector(`${row}[data-state=queued]`);
  await v.click(row);
  await v.waitForSelector(`${caseView} [data-test=accept-grade] select[name=grade]`);
  await v.selectOption(`${caseView} [data-test=accept-grade] select[name=grade]`, 'difficult');
  await v.check(`${caseView} [data-test=accept-grade] input[name=major]`);
  await shot(v, 'accept-grade-1366');
  await v.click(`${caseView} .actions button[data-action=accept]`);
  await v.waitForSelector('.queue[data-count="0"]', { state: 'attached' });

  // The county's queue gets it live, graded.
  await c.waitForSelector(`${row} .tag.grade-difficult`, { timeout: 5000 });
  check((await c.textContent(row)).includes('疑难') && (await c.textContent(row)).includes('重大'), 'the county sees 疑难 and 重大');
  await shot(c, 'county-queue-360');

  // The county accepts it and regrades it with a reason (no longer major).
  await c.click(row);
  await c.waitForSelector(`${caseView} .actions button[data-action=accept]`);
  await c.click(`${caseView} .actions button[data-action=accept]`);
  await c.waitForSelector(`${caseView} .actions button[data-action=regrade]`);
  await c.click(`${caseView} .actions button[data-action=regrade]`);
  await c.selectOption('form.act-form[data-action=regrade] select[name=grade]', 'difficult');
  await c.uncheck('form.act-form[data-action=regrade] input[name=major]');
  await c.fill('form.act-form[data-action=regrade] textarea[name=reason]', '涉及多户，非群体性');
  await shot(c, 'regrade-form-360');
  await c.click('form.act-form[data-action=regrade] button[type=submit]');
  await c.waitForSelector(`${caseView} .timeline li[data-transition=regrade]`);
  check((await c.textContent(`${caseView} .timeline li[data-transition=regrade]`)).includes('疑难'), 'the history names the new grade');
  check(!(await c.$(`${caseView} .case-head .tag.major`)), 'no longer major after the regrade');
  const mediatorActions = await c.$$eval(`${caseView} .actions button.act`, (els) => els.map((e) => e.dataset.action));
  check(!mediatorActions.includes('lead'), 'a mediator cannot take ownership: ' + mediatorActions);

  // The county leader takes ownership.
  await signIn(l, env.BASE_URL + '/console/', env.PHONE_L, env.PASSWORD);
  await l.waitForSelector('.picker button.choice[data-centre="140802"]');
  await l.click('.picker button.choice[data-centre="140802"]');
  await l.waitForSelector(`.queue[data-loaded=true][data-centre="140802"] li.case-row[data-case-id="${caseID}"]`);
  await l.click(row);
  await l.waitForSelector(`${caseView} .actions button[data-action=lead]`);
  await l.click(`${caseView} .actions button[data-action=lead]`);
  await l.waitForSelector(`${caseView} .timeline li[data-transition=lead]`);
  await l.waitForSelector(`${caseView} .case-head .tag.led`);
  check((await l.textContent(`${caseView} .case-head .tag.led`)).includes(env.LEADER_NAME), 'the leader is named on the case');
  await shot(l, 'case-led-1366');

  // The county's queue names the leader; the 领导包案 filter keeps only owned cases.
  await c.waitForFunction((sel) => document.querySelector(sel)?.textContent?.includes('领导包案'), `${row} .tag.led`, { timeout: 5000 });
  await l.goto(env.BASE_URL + '/console/');
  await l.waitForSelector(`.queue[data-loaded=true][data-centre="140802"]`);
  await l.waitForSelector('.queue[data-count="2"]');
  await l.click('[data-test=led-filter]');
  await l.waitForSelector('.queue[data-count="1"]');
  await l.waitForSelector(`${row} .tag.led`);
  await shot(l, 'queue-led-filter-1366');
  await shot(c, 'county-queue-led-360');

  // The dashboard counts it.
  const d = await b.page('D', { width: 1366, height: 800 });
  await signIn(d, env.BASE_URL + '/dashboard/', env.PHONE_L, env.PASSWORD);
  await d.waitForSelector('[data-kpi=led][data-value="1"]', { timeout: 10000 });
  await shot(d, 'dashboard-led-1366');
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ step: 'led' }) + '\n');
} catch (e) {
  await b.screenshots(env.SCREENSHOT ?? '/tmp/console_grade_failure.png');
  throw e;
} finally {
  await b.close();
}
