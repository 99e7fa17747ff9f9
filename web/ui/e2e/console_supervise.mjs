// A township supervisor in the console: no centre of their own, so the picker offers their
// subtree; they open a village centre under it by code, find the case by search, and urge it
// (督办). The village mediator's queue marks it urged, live. Run by web/console_app_test.go.
// Env: BASE_URL, PASSWORD, PHONE_S (supervisor), PHONE_M (village mediator), CASE_ID, VILLAGE.
import { check, consoleBrowser, consoleSignIn as signIn } from './browser.mjs';

const env = process.env;
const caseID = Number(env.CASE_ID);
const row = `.queue li.case-row[data-case-id="${caseID}"]`;
const caseView = `.case-view[data-case-id="${caseID}"]`;

const b = await consoleBrowser();
try {
  const s = await b.page('S');
  const m = await b.page('M');
  await signIn(m, env.PHONE_M);
  await m.waitForSelector(`${row}[data-state=queued]`); // a single centre opens by itself
  await m.waitForSelector('.conn[data-conn=online]');
  check((await m.$('[data-test=switch-centre]')) === null, 'nothing to switch to');

  await signIn(s, env.PHONE_S);
  await s.waitForSelector('.picker button.choice[data-centre="140802001"]');
  check((await s.textContent('.picker')).includes('我督导的范围'), 'the subtree is offered');
  await s.click('.picker button.choice[data-centre="140802001"]');
  await s.waitForSelector('.queue[data-loaded=true][data-centre="140802001"][data-count="0"]');

  // Another centre under the subtree, by code.
  await s.click('[data-test=switch-centre]');
  await s.fill('.picker input[name=centre]', env.VILLAGE);
  await s.click('.picker form.code-form button[type=submit]');
  await s.waitForSelector(`.queue[data-loaded=true][data-centre="${env.VILLAGE}"]`);
  await s.waitForSelector('.conn[data-conn=online]');

  // The search narrows the queue; / focuses it.
  await s.keyboard.press('/');
  check(await s.evaluate(() => document.activeElement?.getAttribute('name') === 'q'), '/ focuses the search');
  await s.keyboard.type('没有这样的案件');
  await s.waitForSelector('.queue[data-count="0"]');
  await s.fill('input[name=q]', String(caseID));
  await s.waitForSelector(row);

  // The supervisor may urge, and nothing else.
  await s.click(row);
  await s.waitForSelector(`${caseView} .actions button[data-action=urge]`);
  const actions = await s.$$eval(`${caseView} .actions button.act`, (els) => els.map((e) => e.dataset.action));
  check(JSON.stringify(actions) === '["urge"]', 'a supervisor only urges: ' + actions);
  await s.click(`${caseView} .actions button[data-action=urge]`);
  await s.click('form.act-form[data-action=urge] button[type=submit]');
  check((await s.textContent('.action-message.error')).includes('请填写'), 'a reason is asked for first');
  await s.fill('form.act-form[data-action=urge] textarea[name=reason]', '请三日内反馈');
  await s.click('form.act-form[data-action=urge] button[type=submit]');
  await s.waitForSelector(`${caseView} .timeline li[data-transition=urge]`);
  await m.waitForSelector(`${row} .tag.urged`, { timeout: 5000 });
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ step: 'urged' }) + '\n');
} catch (e) {
  await b.screenshots(env.SCREENSHOT ?? '/tmp/console_supervise_failure.png');
  throw e;
} finally {
  await b.close();
}
