// 并单 on the phone (docs/phone-app.md): the reporter of a duplicate sees the report merged into
// the main case, and the main case's state and outcome, at 360 px. Prints one JSON line.
// Env: BASE_URL, PASSWORD, PHONE (the duplicate's reporter), DUP, MAIN; optional SHOTS.
import { check, env, phoneBrowser, signIn } from './browser.mjs';

const base = env('BASE_URL');
const dup = env('DUP');
const main = env('MAIN');
const { page, problems, close } = await phoneBrowser({ lon: 111.02, lat: 35.02 });
try {
  await signIn(page, base + '/phone/', env('PHONE'), env('PASSWORD'));
  await page.waitForSelector('.conn[data-conn=online]');
  await page.click('[data-tab=mine]');
  const row = `[data-test=list] .report-row[data-case-id="${dup}"]`;
  await page.waitForSelector(`${row} [data-test=merged-into][data-main="${main}"]`);
  const line = await page.textContent(`${row} [data-test=merged-into]`);
  check(line.includes(`已并入案件 #${main}`), 'merged line: ' + line);
  check(line.includes('主案件：待核查 · 调解成功'), 'main case state and outcome: ' + line);
  check((await page.textContent(`${row} .state`)) === '已并单', 'row state');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `no sideways scroll (${overflow})`);
  if (process.env.SHOTS) await page.screenshot({ path: `${process.env.SHOTS}/phone-merged-360.png`, fullPage: true });
  check(problems.length === 0, 'page errors: ' + problems.join('; '));
  process.stdout.write(JSON.stringify({ step: 'phone_merged', line }) + '\n');
} finally {
  await close();
}
