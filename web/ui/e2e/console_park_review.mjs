// A parking's review date passing (复核到期) in the console. The village mediator's queue shows
// a parked case; when the timer records its review date as passed, the row is tagged 复核到期
// live, and so is the case page, whose history has the timer's row; the mediator parks it again
// with a new review date and a reason, and the tag goes. Run by
// web/console_park_review_app_test.go, which runs the timer when this prints {"step":"ready"}.
// Env: BASE_URL, PASSWORD, PHONE_M (village mediator), CASE_ID; SHOTS: a directory for
// screenshots at 1366 and 360 px (optional).
import { check, consoleBrowser, consoleSignIn as signIn, shot } from './browser.mjs';

const env = process.env;
const caseID = Number(env.CASE_ID);
const row = `.queue li.case-row[data-case-id="${caseID}"]`;
const caseView = `.case-view[data-case-id="${caseID}"]`;
const tag = '[data-test=review-due]';

const b = await consoleBrowser();
try {
  const m = await b.page('M', { width: 1366, height: 900 });
  await signIn(m, env.PHONE_M);
  await m.waitForSelector(`${row}[data-state=parked]`);
  await m.waitForSelector('.queue[data-loaded=true]');
  check((await m.$(`${row} ${tag}`)) === null, 'before its review date the case is not tagged');
  process.stdout.write(JSON.stringify({ step: 'ready' }) + '\n');

  // The timer records the review date as passed: the row is tagged, live.
  await m.waitForSelector(`${row} ${tag}`, { timeout: 15_000 });
  check((await m.textContent(`${row} ${tag}`)) === '复核到期', 'the tag reads 复核到期');
  await m.click(row);
  await m.waitForSelector(`${caseView} .timeline li[data-transition=park_review_due]`);
  await m.waitForSelector(`${caseView} ${tag}`);
  check((await m.textContent(`${caseView} .timeline li[data-transition=park_review_due]`)).includes('挂账复核到期'),
    'the history names the timer\'s row');
  const acts = await m.$$eval(`${caseView} .actions button.act`, (els) => els.map((e) => e.dataset.action));
  check(JSON.stringify(acts) === '["park","unpark"]', 'the centre parks it again or unparks it: ' + acts);
  check((await m.textContent(`${caseView} .actions button[data-action=park]`)) === '继续挂账', 'parking again reads 继续挂账');
  check((await m.textContent(`${caseView} .timeline li[data-transition=park_review_due] .until`)).includes('复核日期'),
    'the timer\'s row shows the review date as such');
  await shot(m, 'review-due-1366');

  const m360 = await b.page('M360', { width: 360, height: 740 });
  await signIn(m360, env.PHONE_M);
  await m360.waitForSelector(`${row} ${tag}`);
  check(await m360.evaluate(() => document.documentElement.scrollWidth <= 360), 'the queue does not overflow at 360 px');
  await shot(m360, 'review-due-queue-360');
  await m360.click(row);
  await m360.waitForSelector(`${caseView} ${tag}`);
  check(await m360.evaluate(() => document.documentElement.scrollWidth <= 360), 'the case page does not overflow at 360 px');
  const box = await (await m360.$(`${caseView} .actions button[data-action=park]`)).boundingBox();
  check(box.height >= 44 && box.x >= 0 && box.x + box.width <= 360, 'park again is a 44 px target inside 360 px');
  await shot(m360, 'review-due-case-360');

  // Parked again: a new review date (the form starts a week ahead) and a reason.
  await m.click(`${caseView} .actions button[data-action=park]`);
  const park = 'form.act-form[data-action=park]';
  check((await m.inputValue(`${park} input[name=until]`)) !== '', 'the review date starts filled');
  await m.fill(`${park} textarea[name=reason]`, '法院尚未判决，继续挂账');
  await shot(m, 'repark-form-1366');
  await m.click(`${park} button[type=submit]`);
  await m.waitForFunction((sel) => document.querySelectorAll(sel).length === 2,
    `${caseView} .timeline li[data-transition=park]`);
  await m.waitForSelector(`${caseView} ${tag}`, { state: 'detached' });
  await m.waitForSelector(`${caseView}[data-state=parked] [data-test=parking]`);
  await m.waitForSelector(`${row} ${tag}`, { state: 'detached' });
  await shot(m, 'reparked-1366');
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ step: 'reparked' }) + '\n');
} catch (e) {
  await b.screenshots(env.SCREENSHOT ?? '/tmp/console_park_review_failure.png');
  throw e;
} finally {
  await b.close();
}
