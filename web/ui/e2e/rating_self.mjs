// A village's self-assessment (自评) on a phone: its mediator opens 评星定级 at 360 px, enters the
// indicators the village reports with their evidence, saves them and submits. Run by
// web/rating_app_test.go, which checks PostgreSQL after. Env: BASE_URL, PASSWORD, PHONE_V,
// VILLAGE; SHOTS (optional). Prints {"done": true}.
import { check, consoleBrowser, env, shot, signIn, tapTarget } from './browser.mjs';

const step = (s) => process.stderr.write(`rating_self: ${s}\n`);
const values = { party_meetings: '12', members_commitment: '95', no_major_crime: '0', law_lectures: '4', petitions_abroad: '0',
  volunteer: '8', collective_income: '12.5', income_growth: '7' };

const b = await consoleBrowser();
try {
  step('the village mediator opens its sheet');
  const p = await b.page('V360', { width: 360, height: 740 });
  await signIn(p, env('BASE_URL') + '/dashboard/#ratings', env('PHONE_V'), env('PASSWORD'));
  await p.waitForSelector(`.ratings[data-own=true] .rating-sheet[data-unit="${env('VILLAGE')}"][data-state=""]`);
  check(await p.$('.rating-counts .kpi') === null, 'no figures for a village');

  step('enters the indicators with their evidence');
  await p.click('.rating-entries summary');
  for (const [code, v] of Object.entries(values)) {
    await p.fill(`.rating-entries input[name="value-${code}"]`, v);
    await p.fill(`.rating-entries input[name="note-${code}"]`, '台账 ' + code);
  }
  check(await tapTarget(p, '.rating-entries [data-act=enter]', 360), 'the save button is a 44 px tap target');
  await shot(p, 'rating-self-entries-360');
  await p.click('.rating-entries [data-act=enter]');
  await p.waitForSelector('.rating-sheet[data-state=draft]');
  // The sheet may already be a draft before the save: wait for the saved entry itself, and for
  // the re-drawn steps, rather than read a sheet being replaced.
  await p.waitForFunction(() => document.querySelector('.rating-mark[data-mark="5"] [data-item=collective_income]')
    ?.textContent.includes('12.5'));
  const v = await p.textContent('.rating-mark[data-mark="5"] [data-item=collective_income]');
  check(v.includes('12.5 万元') && v.includes('台账 collective_income'), 'the entry on the sheet: ' + v);

  step('submits');
  await p.waitForSelector('.rating-steps [data-act=submit]', { state: 'visible' });
  check(await tapTarget(p, '.rating-steps [data-act=submit]', 360), 'the submit button is a 44 px tap target');
  await p.click('.rating-steps [data-act=submit]');
  await p.waitForSelector('.rating-sheet[data-state=submitted]');
  check(await p.$('.rating-steps [data-act=submit]') === null, 'nothing more to do until the review');
  const width = await p.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `the sheet is ${width} px wide at 360`);
  await shot(p, 'rating-self-submitted-360');

  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ done: true }) + '\n');
} catch (e) {
  await b.screenshots(process.env.SCREENSHOT ?? '/tmp/rating_self_failure.png');
  throw e;
} finally {
  await b.close();
}
