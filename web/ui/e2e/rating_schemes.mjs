// 评星定级方案 in the admin app (web/rating_admin_app_test.go runs it and checks the API after):
// a county administrator opens 五面红旗, is refused a weight of 0 with the server's words, then
// raises 平安红旗's closure target to 97 %, lowers its pass score to 70, adds an entered
// indicator to 富裕红旗 and saves. At 360 px the page fits; a township administrator only reads.
// Env: BASE_URL, PASSWORD, COUNTY (phone), TOWNSHIP (phone); optional SHOTS. Prints {"done": true}.
import { check, consoleBrowser, env, shot, signIn } from './browser.mjs';

const step = (s) => process.stderr.write(`rating_schemes: ${s}\n`);
const open = async (page, phone) => {
  await signIn(page, env('BASE_URL') + '/admin/#ratings', phone, env('PASSWORD'));
  await page.waitForSelector('.rating-scheme[data-scheme=five_flags]');
};
const mark = (n) => `.rating-mark-edit[data-mark="${n}"]`;

const b = await consoleBrowser();
try {
  step('a county administrator edits 五面红旗');
  const p = await b.page('A1366', { width: 1366, height: 900 });
  await open(p, env('COUNTY'));
  await p.fill(`${mark(2)} tr[data-code=overdue] input[name=weight]`, '0');
  await p.click('[data-test=save-scheme]');
  await p.waitForSelector('.rating-scheme .row-note.error');
  const refusal = await p.textContent('.rating-scheme .row-note.error');
  check(refusal.includes('weight'), 'the refusal names the weight: ' + refusal);
  await p.fill(`${mark(2)} tr[data-code=overdue] input[name=weight]`, '20');
  await p.fill(`${mark(2)} tr[data-code=closure] input[name=threshold]`, '97');
  await p.fill(`${mark(2)} input[name=pass_score]`, '70');
  await p.click(`${mark(5)} [data-test=add-indicator]`);
  const added = `${mark(5)} tbody tr:last-child`;
  await p.fill(`${added} input[name=name]`, '特色产业项目');
  await p.fill(`${added} input[name=threshold]`, '1');
  await p.fill(`${added} input[name=unit_word]`, '个');
  await p.fill(`${added} input[name=weight]`, '20');
  await p.click('[data-test=save-scheme]');
  await p.waitForSelector('.rating-scheme[data-saved=true]');
  check(await p.inputValue(`${mark(2)} tr[data-code=closure] input[name=threshold]`) === '97', 'the saved target is shown');
  check(await p.$$eval(`${mark(5)} tbody tr`, (rows) => rows.length) === 3, '富裕红旗 has three indicators');
  await shot(p, 'rating-schemes-1366');

  step('at 360 px');
  const m = await b.page('A360', { width: 360, height: 740 });
  await open(m, env('COUNTY'));
  const width = await m.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `the schemes page is ${width} px wide at 360`);
  await shot(m, 'rating-schemes-360');

  step('a township administrator reads');
  const tw = await b.page('T1366', { width: 1366, height: 900 });
  await open(tw, env('TOWNSHIP'));
  check(await tw.isVisible('.ratings-page [data-test=read-only]'), 'the read-only notice');
  check(await tw.$('[data-test=save-scheme]') === null, 'no save button');

  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ done: true }) + '\n');
} catch (e) {
  await b.screenshots(process.env.SCREENSHOT ?? '/tmp/rating_schemes_failure.png');
  throw e;
} finally {
  await b.close();
}
