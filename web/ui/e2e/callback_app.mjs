// 回访 in the console and on the phone. The Go test (web/callback_app_test.go) has two cases
// settled by the village centre and verified on site. The village mediator signs in to the
// console (a desk, then 360 px), finds both in the 回访 queue, records 基本满意 for A (submitting
// without a satisfaction first is refused in words), one try that did not reach the party and
// then 不满意 for B, which goes back to the queue as accepted. The grid worker's phone shows
// both results on the case pages. Prints {"done": true}.
// Env: BASE_URL, PASSWORD, PHONE_M, PHONE_W, CASE_A, CASE_B, LON, LAT; SHOTS (optional).
import { check, consoleBrowser, env, phoneBrowser, signIn } from './browser.mjs';

const base = env('BASE_URL');
const a = Number(env('CASE_A'));
const bId = Number(env('CASE_B'));
const step = (s) => process.stderr.write(`callback_app: ${s}\n`);
const shot = async (page, name) => process.env.SHOTS && page.screenshot({ path: `${process.env.SHOTS}/${name}.png`, fullPage: true });

async function consoleSignIn(page) {
  await signIn(page, base + '/console/', env('PHONE_M'), env('PASSWORD'));
  await page.waitForSelector('.queue[data-loaded=true]');
  await page.waitForSelector('.conn[data-conn=online]');
}

// callback opens a case from the 回访 queue and submits the callback form.
async function record(page, id, action, satisfaction, note) {
  await page.click(`.callbacks .cb-row[data-id="${id}"]`);
  await page.waitForSelector(`.case-view[data-case-id="${id}"] [data-test=callback-tag][data-callback=pending]`);
  await page.click(`.actions button.act[data-action=${action}]`);
  const form = `form.act-form[data-action=${action}]`;
  await page.waitForSelector(form);
  if (satisfaction) await page.check(`${form} input[name=satisfaction][value=${satisfaction}]`);
  if (note) await page.fill(`${form} textarea[name=reason]`, note);
  const answered = page.waitForResponse((r) => r.url().endsWith(`/api/cases/${id}/transitions`) && r.request().method() === 'POST');
  await page.click(`${form} button[type=submit]`);
  const res = await answered;
  check(res.status() === 200, `${action} on ${id}: ${res.status()}`);
}

const c = await consoleBrowser();
try {
  step('the 回访 queue on a desk');
  const desk = await c.page('desk', { width: 1366, height: 800 });
  await consoleSignIn(desk);
  await desk.waitForSelector('.callbacks[data-count="2"]');
  const rows = await desk.$$eval('.callbacks .cb-row', (els) => els.map((e) => Number(e.dataset.id)));
  check(rows.includes(a) && rows.includes(bId), '回访 queue lists both: ' + rows);
  check((await desk.textContent('.callbacks h3')).includes('待回访'), 'the queue is titled 待回访');
  await shot(desk, 'console-callbacks-1366');

  step('A: a satisfaction is required, then 基本满意');
  await desk.click(`.callbacks .cb-row[data-id="${a}"]`);
  await desk.waitForSelector(`.case-view[data-case-id="${a}"] [data-test=callback-tag][data-callback=pending]`);
  await desk.click('.actions button.act[data-action=callback]');
  await desk.fill('form.act-form[data-action=callback] textarea[name=reason]', '电话回访，当事人表示基本满意');
  await desk.click('form.act-form[data-action=callback] button[type=submit]');
  await desk.waitForFunction(() => document.querySelector('.action-message')?.textContent.includes('当事人满意度'));
  await shot(desk, 'console-callback-form-1366');
  await desk.check('form.act-form[data-action=callback] input[name=satisfaction][value=basic]');
  const answered = desk.waitForResponse((r) => r.url().endsWith(`/api/cases/${a}/transitions`));
  await desk.click('form.act-form[data-action=callback] button[type=submit]');
  check((await answered).status() === 200, 'callback A accepted');
  await desk.waitForSelector(`.case-view[data-case-id="${a}"] [data-test=callback-tag][data-callback=basic]`);
  await desk.waitForSelector('.timeline [data-test=callback-result]');
  check((await desk.textContent('.timeline [data-test=callback-result]')).includes('基本满意'), 'the history says 基本满意');
  check(!(await desk.$('.actions button.act[data-action=callback]')), 'no second callback');
  await desk.click('.case-view .back');
  await desk.waitForSelector('.callbacks[data-count="1"]');

  step('B at 360 px: not reached once, then 不满意 reopens it');
  const phoneDesk = await c.page('narrow', { width: 360, height: 740 });
  await consoleSignIn(phoneDesk);
  await phoneDesk.waitForSelector(`.callbacks .cb-row[data-id="${bId}"]`);
  await record(phoneDesk, bId, 'callback_try', '', '');
  await phoneDesk.waitForSelector(`.case-view[data-case-id="${bId}"] [data-test=callback-tag][data-callback=pending]`);
  await phoneDesk.waitForFunction(() => document.querySelector('[data-test=callback-tag]')?.textContent.includes('1 次'));
  await phoneDesk.click('.actions button.act[data-action=callback]');
  await phoneDesk.waitForSelector('form.act-form[data-action=callback] [data-test=satisfaction]');
  const tap = await phoneDesk.$eval('.satisfaction .sat-choice', (e) => e.getBoundingClientRect().height);
  check(tap >= 44, `satisfaction choices are ${tap} px tall`);
  await shot(phoneDesk, 'console-callback-form-360');
  await phoneDesk.click('.case-view .back');
  await record(phoneDesk, bId, 'callback', 'dissatisfied', '当事人不满意：噪音仍未解决');
  await phoneDesk.waitForSelector(`.case-view[data-case-id="${bId}"][data-state=accepted]`);
  const width = await phoneDesk.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `the case page is ${width} px wide at 360`);
  await phoneDesk.click('.case-view .back');
  await phoneDesk.waitForSelector(`.queue li.case-row[data-case-id="${bId}"]`);
  await phoneDesk.waitForSelector('.callbacks[data-count="0"]');
  await shot(phoneDesk, 'console-callbacks-360');
  await desk.waitForSelector('.callbacks[data-count="0"]'); // live, by the frames
  check(c.problems.length === 0, 'no page errors: ' + c.problems.join('; '));
} catch (e) {
  await c.screenshots(process.env.SCREENSHOT ?? '/tmp/callback_app_failure.png');
  throw e;
} finally {
  await c.close();
}

step('the phone: the worker sees both results');
const p = await phoneBrowser({ lon: Number(env('LON')), lat: Number(env('LAT')) });
try {
  await signIn(p.page, base + '/phone/', env('PHONE_W'), env('PASSWORD'));
  await p.page.waitForSelector('.conn[data-conn=online]');
  await p.page.click('[data-tab=mine]');
  for (const [id, status, words] of [[a, 'basic', '当事人基本满意'], [bId, 'dissatisfied', '当事人不满意']]) {
    await p.page.click(`[data-test=list] .report-row[data-case-id="${id}"]`);
    await p.page.waitForSelector(`.case-detail [data-test=callback][data-callback=${status}]`);
    check((await p.page.textContent('.case-detail [data-test=callback]')).includes(words), `case ${id} says ${words}`);
    await shot(p.page, `phone-callback-${status}-360`);
    await p.page.click('[data-test=back]');
  }
  check(p.problems.length === 0, 'no page errors: ' + p.problems.join('; '));
  process.stdout.write(JSON.stringify({ done: true }) + '\n');
} catch (e) {
  await p.page.screenshot({ path: process.env.SCREENSHOT ?? '/tmp/callback_app_phone_failure.png', fullPage: true }).catch(() => {});
  throw e;
} finally {
  await p.close();
}
