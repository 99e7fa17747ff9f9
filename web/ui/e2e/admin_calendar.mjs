// Issue 16's admin screens (web/admin_calendar_app_test.go runs it and checks PostgreSQL and the
// API after): a county administrator, on a desk in Chinese, opens the working calendar of 2027,
// makes a Monday a holiday and a Saturday a make-up working day (调休上班) and sees them on the
// grid with their names, makes a third day a holiday and then ordinary again, is refused bad
// working hours (a time in the wrong form here, overlapping periods by the server) and saves good
// ones; in the categories sets the village tier of 邻里纠纷 to working days, is refused 36 hours,
// saves 2 days; and gives complex cases the township with 150%. At 360 px in English the month
// grids fit and every control is a finger's size. A township administrator reads the calendar
// and the grade rules without controls to change them.
// Env: BASE_URL, PASSWORD, COUNTY (phone), TOWNSHIP (phone); optional SHOTS (a directory).
import { check, consoleBrowser, env } from './browser.mjs';

const base = env('BASE_URL');
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const shots = process.env.SHOTS;
const shot = async (page, name) => {
  if (!shots) return;
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: true });
};
const signIn = async (page, phone, query = '') => {
  await page.goto(base + '/admin/' + query);
  await page.fill('input[name=phone]', phone);
  await page.fill('input[name=password]', env('PASSWORD'));
  await page.click('form.signin button[type=submit]');
  await page.waitForSelector('nav.tabs');
};
const openYear = async (page, year) => {
  await page.click('a.tab[data-page=calendar]');
  await page.waitForSelector('.months[data-loaded=true]');
  await page.selectOption('select[name=year]', String(year));
  await page.waitForSelector(`.months[data-loaded=true][data-year="${year}"]`);
};
const day = (date) => `.month-grid .day[data-date="${date}"]`;
const setDay = async (page, date, kind, name) => {
  await page.click(day(date));
  await page.waitForSelector('dialog.day-dialog[open]');
  await page.check(`dialog.day-dialog input[name=kind][value=${kind}]`);
  if (name !== undefined) await page.fill('dialog.day-dialog input[name=day-name]', name);
  await page.click('dialog.day-dialog [data-test=save-day]');
  await page.waitForSelector('dialog.day-dialog', { state: 'hidden' });
  await page.waitForSelector(`${day(date)}[data-kind=${kind === 'ordinary' ? 'work' : kind}]`);
};
const fillHours = async (page, spans) => {
  const rows = page.locator('.hours-card .span-row');
  while ((await rows.count()) > spans.length) await rows.last().locator('button.remove').click();
  while ((await rows.count()) < spans.length) await page.click('[data-test=add-span]');
  for (const [i, [s, e]] of spans.entries()) {
    await rows.nth(i).locator('input[name=start]').fill(s);
    await rows.nth(i).locator('input[name=end]').fill(e);
  }
  await page.click('[data-test=save-hours]');
};
const hoursSaid = (page) => page.waitForFunction(() => document.querySelector('[data-test=hours-error]').textContent !== '')
  .then(() => page.textContent('[data-test=hours-error]'));
// fits: nothing wider than the window, every month grid inside it, every visible control at
// least 44 px tall (a day at least 40 px wide: seven of them share 344 px).
const fits = (page) => page.evaluate(() => {
  const w = document.documentElement.clientWidth;
  const small = [...document.querySelectorAll('button, a, input, select')]
    .map((e) => (e.type === 'checkbox' || e.type === 'radio' ? e.closest('label') ?? e : e)) // a box by its label
    .filter((e) => e.getClientRects().length && e.getBoundingClientRect().height < 43.5)
    .map((e) => e.outerHTML.slice(0, 80));
  const grids = [...document.querySelectorAll('.month-grid')].every((g) => g.getBoundingClientRect().right <= w + 0.5);
  const narrowest = Math.min(...[...document.querySelectorAll('.month-grid .day')].map((d) => d.getBoundingClientRect().width));
  return { page: document.documentElement.scrollWidth <= w, grids, small, narrowest };
});

const b = await consoleBrowser();
try {
  const desk = await b.page('desk', { width: 1366, height: 900 });
  await signIn(desk, env('COUNTY'));
  await openYear(desk, 2027);
  check((await desk.textContent('[data-test=cal-note]')).includes('已设定的期限不变'), 'the note on deadlines already set');
  check(await desk.$eval(day('2027-03-06'), (e) => e.dataset.kind === 'weekend'), 'a Saturday is a weekend');
  check(await desk.$eval(day('2027-10-01'), (e) => e.dataset.kind === 'holiday'), 'the shipped National Day is a holiday');

  await setDay(desk, '2027-03-08', 'holiday', '测试假日');
  await setDay(desk, '2027-03-13', 'workday', '测试调休上班');
  await setDay(desk, '2027-03-09', 'holiday', '将被取消');
  await setDay(desk, '2027-03-09', 'ordinary');
  // a holiday without a name is asked for one, in place
  await desk.click(day('2027-03-10'));
  await desk.check('dialog.day-dialog input[name=kind][value=holiday]');
  await desk.click('dialog.day-dialog [data-test=save-day]');
  const nameNeeded = await desk.textContent('dialog.day-dialog .error');
  await desk.click('dialog.day-dialog [data-test=cancel-day]');
  const march = '.month[data-month="3"]';
  const grid = {
    holiday: await desk.$eval(day('2027-03-08'), (e) => [e.dataset.kind, e.className, e.getAttribute('aria-label'), getComputedStyle(e).backgroundColor]),
    makeup: await desk.$eval(day('2027-03-13'), (e) => [e.dataset.kind, e.className, e.getAttribute('aria-label'), getComputedStyle(e).backgroundColor]),
    removed: await desk.$eval(day('2027-03-09'), (e) => e.dataset.kind),
    weekend_bg: await desk.$eval(day('2027-03-06'), (e) => getComputedStyle(e).backgroundColor),
    named: await desk.$$eval(`${march} .named-days li`, (l) => l.map((x) => x.textContent)),
    legend: await desk.$$eval('.cal-legend li', (l) => l.map((x) => x.textContent)),
  };
  // reloaded from the server, the grid is the same
  await desk.reload();
  await openYear(desk, 2027);
  grid.reloaded = [await desk.$eval(day('2027-03-08'), (e) => e.dataset.kind), await desk.$eval(day('2027-03-13'), (e) => e.dataset.kind)];
  out({ step: 'days', name_needed: nameNeeded, ...grid });
  await shot(desk, 'admin-calendar-1366');

  await fillHours(desk, [['8:30', '12:00']]);
  const badForm = await hoursSaid(desk);
  await fillHours(desk, [['08:30', '12:00'], ['11:00', '17:30']]);
  await desk.waitForFunction(() => document.querySelector('[data-test=hours-error]').textContent.includes('工作日历'));
  const overlap = await desk.textContent('[data-test=hours-error]');
  await desk.locator('.hours-card').screenshot({ path: shots ? `${shots}/admin-calendar-hours-error-1366.png` : '/dev/null' }).catch(() => {});
  await fillHours(desk, [['09:00', '12:00'], ['14:00', '18:00']]);
  await desk.waitForFunction(() => document.querySelector('[data-test=hours-error]').textContent === '已保存');
  out({ step: 'hours', bad_form: badForm, overlap });

  // the village tier of 邻里纠纷 on working days
  await desk.click('a.tab[data-page=categories]');
  await desk.waitForSelector('.categories tbody[data-loaded=true]');
  const row = '.categories tr[data-code=neighbour]';
  await desk.selectOption(`${row} select[name=village_s-clock]`, 'working_days');
  await desk.fill(`${row} input[name=village_s]`, '36');
  await desk.selectOption(`${row} select[name=village_s-unit]`, '3600');
  await desk.click(`${row} [data-test=save]`);
  await desk.waitForSelector(`${row} .row-note.error`);
  const wholeDays = await desk.textContent(`${row} .row-note`);
  await desk.fill(`${row} input[name=village_s]`, '2');
  await desk.selectOption(`${row} select[name=village_s-unit]`, '86400');
  await desk.click(`${row} [data-test=save]`);
  await desk.waitForSelector(`${row} .row-note.notice`);
  await shot(desk, 'admin-categories-clocks-1366');
  out({ step: 'clocks', whole_days: wholeDays, saved: await desk.textContent(`${row} .row-note`) });

  // complex cases go to the township with 150% of its deadline
  await desk.click('a.tab[data-page=grades]');
  await desk.waitForSelector('.grades tbody[data-loaded=true]');
  const grades = await desk.$$eval('.grades tbody tr', (l) => l.map((x) => x.querySelector('td').textContent));
  const complex = '.grades tr[data-grade=complex]';
  await desk.fill(`${complex} input[name=deadline_pct]`, '5');
  await desk.click(`${complex} [data-test=save]`);
  await desk.waitForSelector(`${complex} .row-note.error`);
  const badPct = await desk.textContent(`${complex} .row-note`);
  await desk.selectOption(`${complex} select[name=tier]`, 'township');
  await desk.fill(`${complex} input[name=deadline_pct]`, '150');
  await desk.click(`${complex} [data-test=save]`);
  await desk.waitForSelector(`${complex} .row-note.notice`);
  await shot(desk, 'admin-grades-1366');
  out({ step: 'grades', grades, bad_pct: badPct });

  // At 360 px, in English.
  const phone = await b.page('phone', { width: 360, height: 740 });
  await signIn(phone, env('COUNTY'), '?lang=en');
  await openYear(phone, 2027);
  const narrow = await fits(phone);
  const legendEN = await phone.$$eval('.cal-legend li', (l) => l.map((x) => x.textContent));
  await shot(phone, 'admin-calendar-360');
  if (shots) { // the top and one month at full size: the whole page is too tall to read
    await phone.screenshot({ path: `${shots}/admin-calendar-360-top.png`, fullPage: true, clip: { x: 0, y: 0, width: 360, height: 900 } });
    await phone.locator('.month[data-month="3"]').screenshot({ path: `${shots}/admin-calendar-360-march.png` });
  }
  await phone.click(day('2027-03-08'));
  await phone.waitForSelector('dialog.day-dialog[open]');
  const dialogFits = await phone.$eval('dialog.day-dialog', (d) => d.getBoundingClientRect().right <= document.documentElement.clientWidth);
  if (shots) await phone.screenshot({ path: `${shots}/admin-calendar-day-360.png` });
  await phone.click('dialog.day-dialog [data-test=cancel-day]');
  await phone.click('a.tab[data-page=categories]');
  await phone.waitForSelector('.categories tbody[data-loaded=true]');
  const categoriesFit = await fits(phone);
  await shot(phone, 'admin-categories-clocks-360');
  if (shots) await phone.locator('.categories tr[data-code=neighbour]').screenshot({ path: `${shots}/admin-categories-clocks-360-row.png` });
  await phone.click('a.tab[data-page=grades]');
  await phone.waitForSelector('.grades tbody[data-loaded=true]');
  const gradesFit = await fits(phone);
  await shot(phone, 'admin-grades-360');
  out({ step: 'narrow', calendar: narrow, legend: legendEN, dialog_fits: dialogFits, categories: categoriesFit, grades: gradesFit });

  // A township's administrator reads only.
  const township = await b.page('township', { width: 1366, height: 900 });
  await signIn(township, env('TOWNSHIP'));
  await openYear(township, 2027);
  const readOnly = {
    note: await township.isVisible('.calendar-page [data-test=read-only]'),
    day_buttons: await township.$$eval('.month-grid button.day', (l) => l.length),
    marked: await township.$eval(day('2027-03-08'), (e) => e.dataset.kind),
    save_hours: await township.$$eval('[data-test=save-hours]', (l) => l.length),
  };
  await township.click('a.tab[data-page=grades]');
  await township.waitForSelector('.grades tbody[data-loaded=true]');
  readOnly.grade_saves = await township.$$eval('.grades [data-test=save]', (l) => l.length);
  readOnly.complex_tier = await township.$eval('.grades tr[data-grade=complex] select[name=tier]', (e) => e.value);
  out({ step: 'read_only', ...readOnly });

  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  out({ step: 'done' });
} catch (e) {
  if (shots) await b.screenshots(`${shots}/admin-calendar-failure`);
  throw e;
} finally {
  await b.close();
}
