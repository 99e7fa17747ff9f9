// Issue 16, working-day clocks: a village mediator's console shows the 剩余 of a case whose
// deadline runs in working hours as working time (剩余工时 …), and that of a case on
// calendar time as before, in the queue and on the case page; on a desk in Chinese and at 360 px
// in English. Prints one JSON line per view for the Go test (web/console_clocks_app_test.go).
// Env: BASE_URL, PASSWORD, PHONE, WORKING_ID, CALENDAR_ID; optional SHOTS (a directory).
import { check, consoleBrowser } from './browser.mjs';

const env = process.env;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const row = (id) => `.queue li.case-row[data-case-id="${id}"] .c-deadline`;

const b = await consoleBrowser();
try {
  for (const [name, viewport, query] of [['desk', { width: 1366, height: 800 }, ''], ['narrow', { width: 360, height: 740 }, '?lang=en']]) {
    const page = await b.page(name, viewport);
    await page.goto(env.BASE_URL + '/console/' + query);
    await page.fill('input[name=phone]', env.PHONE);
    await page.fill('input[name=password]', env.PASSWORD);
    await page.click('form.signin button[type=submit]');
    await page.waitForSelector('.queue[data-loaded=true]');
    await page.waitForSelector(row(env.WORKING_ID));
    const working = await page.$eval(row(env.WORKING_ID), (e) => e.textContent);
    const calendar = await page.$eval(row(env.CALENDAR_ID), (e) => e.textContent);
    // The deadline cell must fit its row at 360 px: nothing cut off to the right.
    const fits = await page.$eval(row(env.WORKING_ID), (e) => e.getBoundingClientRect().right <= document.documentElement.clientWidth + 1);
    if (env.SHOTS) await page.screenshot({ path: `${env.SHOTS}/queue-${name}.png`, fullPage: true });
    await page.click(`.queue li.case-row[data-case-id="${env.WORKING_ID}"] a`);
    await page.waitForSelector(`.case-view[data-case-id="${env.WORKING_ID}"] .deadline`);
    const onPage = await page.$eval(`.case-view[data-case-id="${env.WORKING_ID}"] .deadline`, (e) => e.textContent);
    if (env.SHOTS) await page.screenshot({ path: `${env.SHOTS}/case-${name}.png`, fullPage: true });
    out({ step: name, working, calendar, case_page: onPage, fits });
  }
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  out({ step: 'done' });
} finally {
  await b.close();
}
