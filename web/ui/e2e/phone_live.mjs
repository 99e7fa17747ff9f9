// A case's progress reaches the phone live: report online, print the case number, and wait
// (without reloading) until the app shows the case closed, which the Go test makes happen on
// the server. Run by web/phone_app_test.go; env: BASE_URL, PHONE, PASSWORD, LON, LAT.
import { check, phoneBrowser, signIn } from './browser.mjs';

const base = process.env.BASE_URL;
const b = await phoneBrowser({ lon: Number(process.env.LON), lat: Number(process.env.LAT) });
const { page } = b;
try {
  await signIn(page, base + '/phone/?lang=en', process.env.PHONE, process.env.PASSWORD);
  await page.waitForSelector('.conn[data-conn=online]');
  await page.selectOption('select[name=category]', 'rubbish');
  await page.fill('textarea[name=description]', 'Rubbish piled at the village gate');
  await page.click('form.report button[type=submit]');
  await page.click('[data-tab=mine]');
  const row = await page.waitForSelector('.report-row[data-state=acked]');
  const caseID = Number(await row.getAttribute('data-case-id'));
  check(caseID > 0, 'a case number');
  check((await row.textContent()).includes('village mediation centre'), 'the tier is shown');
  process.stdout.write(JSON.stringify({ case_id: caseID }) + '\n');
  await page.waitForSelector('.report-row[data-state=closed]', { timeout: 20_000 });
  check((await page.textContent('.report-row .state')) === 'Closed', 'shown as closed');
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ closed: caseID }) + '\n');
} catch (e) {
  await page.screenshot({ path: process.env.SCREENSHOT ?? '/tmp/phone_live_failure.png', fullPage: true }).catch(() => {});
  throw e;
} finally {
  await b.close();
}
