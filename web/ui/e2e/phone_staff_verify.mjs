// A grid leader verifies in the reporter's stead. The Go test settles a case whose reporter's
// time to verify has run out; the grid leader signs in on the phone, finds it under 核查任务 as
// 代核查 (who reported it, where, when it closes unverified), opens it, verifies it with a note,
// and the task goes. Prints {"verified": case_id}. Run by web/phone_verify_test.go; env:
// BASE_URL, PHONE, PASSWORD, LON, LAT, CASE; SHOTS, a folder for screenshots (optional).
import { check, env, phoneBrowser, signIn } from './browser.mjs';

const b = await phoneBrowser({ lon: Number(env('LON')), lat: Number(env('LAT')) });
const { page } = b;
const id = env('CASE');
const step = (s) => process.stderr.write(`phone_staff_verify: ${s}\n`);

try {
  step('sign in as the grid leader');
  await signIn(page, env('BASE_URL') + '/phone/', env('PHONE'), env('PASSWORD'));
  await page.waitForSelector('.conn[data-conn=online]');
  // The tasks are asked for once connected: wait for the answer.
  await page.waitForFunction(() => document.querySelector('[data-test=task-badge]')?.textContent === '核查 1', null, { timeout: 15_000 });

  step('the overdue verification is a task');
  await page.click('[data-tab=mine]');
  const task = await page.waitForSelector(`[data-test=staff-task][data-case-id="${id}"]`);
  const text = await task.textContent();
  check(text.includes('代核查') && text.includes('前未核查将自动办结') && text.includes('上报 · '), 'the task says whose and until when: ' + text);
  if (process.env.SHOTS) await page.screenshot({ path: process.env.SHOTS + '/phone-staff-task-360.png', fullPage: true });

  step('open it and verify');
  // By selector, not the handle: the list may be drawn again (a frame arriving) between the two.
  await page.click(`[data-test=staff-task][data-case-id="${id}"]`);
  await page.waitForSelector('.case-detail[data-state=verifying] [data-action=verify]');
  await page.fill('textarea[name=verify_note]', '网格长现场核实，排水沟已疏通');
  await page.click('[data-action=verify]');
  await page.waitForSelector('.case-detail[data-state=closed]', { timeout: 15_000 });
  await page.click('.case-detail .back');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=staff-task]').length === 0);
  check(await page.$eval('[data-test=task-badge]', (el) => el.hidden), 'no task left on the tab');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `my reports is ${width} px wide`);

  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ verified: Number(id) }) + '\n');
} catch (e) {
  await page.screenshot({ path: process.env.SCREENSHOT ?? '/tmp/phone_staff_verify_failure.png', fullPage: true }).catch(() => {});
  throw e;
} finally {
  await b.close();
}
