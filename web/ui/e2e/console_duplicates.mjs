// 并单 in the console (docs/console.md): the village mediator sees 可能重复 N on the main case's
// queue row and case page, marks one suggestion distinct (it disappears) and merges the other
// into the main case (the suggestion disappears, the duplicate closes). At 1366 px and at 360 px,
// with screenshots in SHOTS. Prints one JSON line per step for the Go test
// (web/console_duplicates_app_test.go), which checks PostgreSQL afterwards.
// Env: BASE_URL, PASSWORD, PHONE (the village mediator), MAIN, DUP, OTHER; optional SHOTS.
import { check, consoleBrowser, env } from './browser.mjs';

const base = env('BASE_URL');
const main = Number(env('MAIN'));
const dup = Number(env('DUP'));
const other = Number(env('OTHER'));
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const shot = async (page, name) => process.env.SHOTS && page.screenshot({ path: `${process.env.SHOTS}/${name}.png`, fullPage: true });
const panel = `.case-view[data-case-id="${main}"] [data-test=duplicates]`;

async function signIn(page, lang = '') {
  await page.goto(base + '/console/' + lang);
  await page.fill('input[name=phone]', env('PHONE'));
  await page.fill('input[name=password]', env('PASSWORD'));
  await page.click('form.signin button[type=submit]');
  await page.waitForSelector('.queue[data-loaded=true]');
}

const b = await consoleBrowser();
try {
  const desk = await b.page('desk', { width: 1366, height: 900 });
  const phone = await b.page('narrow', { width: 360, height: 740 });
  await signIn(desk);
  await signIn(phone, '?lang=en');

  // The queue: 可能重复 2 on the main case's row (the other and the duplicate are near it).
  await desk.waitForSelector(`li.case-row[data-case-id="${main}"] [data-test=dup-tag][data-count="2"]`);
  const tag = await desk.textContent(`li.case-row[data-case-id="${main}"] [data-test=dup-tag]`);
  check(tag === '可能重复 2', 'queue tag: ' + tag);
  await phone.waitForSelector(`li.case-row[data-case-id="${main}"] [data-test=dup-tag][data-count="2"]`);
  await shot(desk, 'queue-1366');
  await shot(phone, 'queue-360');
  out({ step: 'queue_tag', text: tag });

  // The case page: the card lists both, nearest first, with the window.
  for (const p of [desk, phone]) {
    await p.click(`li.case-row[data-case-id="${main}"]`);
    await p.waitForSelector(`${panel}[data-count="2"]`);
  }
  const head = await desk.textContent(`.case-view[data-case-id="${main}"] .case-head [data-test=dup-tag]`);
  check(head === '可能重复 2', 'case head tag: ' + head);
  const title = await desk.textContent(`${panel} h3`);
  check(title === '可能重复 2', 'panel title: ' + title);
  check((await phone.textContent(`${panel} h3`)) === 'Possible duplicates 2', 'English panel title');
  const listed = await desk.$$eval(`${panel} li.dup`, (ls) => ls.map((l) => Number(l.dataset.dupId)));
  check(listed.includes(dup) && listed.includes(other), 'both listed: ' + listed);
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `no sideways scroll at 360 px (${overflow})`);
  const small = await phone.$$eval(`${panel} button`, (bs) => bs.filter((x) => x.getBoundingClientRect().height < 44).length);
  check(small === 0, 'buttons at least 44 px tall');
  await desk.$eval(panel, (e) => e.scrollIntoView());
  await shot(desk, 'case-1366');
  await phone.$eval(panel, (e) => e.scrollIntoView());
  await shot(phone, 'case-360');
  out({ step: 'suggested', listed });

  // Not a duplicate: the other disappears.
  await desk.click(`${panel} li.dup[data-dup-id="${other}"] [data-test=distinct]`);
  await desk.waitForSelector(`${panel}[data-count="1"]`);
  check(!(await desk.$(`${panel} li.dup[data-dup-id="${other}"]`)), 'distinct pair hidden');
  out({ step: 'distinct' });

  // 并单: the duplicate merged into this case; no suggestion is left.
  await desk.click(`${panel} li.dup[data-dup-id="${dup}"] [data-test=merge-here]`);
  await desk.waitForSelector(`${panel}[data-count="0"]`);
  check(!(await desk.$(`.case-view[data-case-id="${main}"] .case-head [data-test=dup-tag]`)), 'head tag gone');
  await shot(desk, 'case-after-1366');
  out({ step: 'merged' });

  // The duplicate's page shows its merge in the history, and no card (it is closed).
  await desk.goto(base + '/console/#/case/' + dup);
  await desk.waitForSelector(`.case-view[data-case-id="${dup}"] .timeline [data-transition=merge]`);
  const tr = await desk.textContent(`.case-view[data-case-id="${dup}"] .timeline [data-transition=merge] .tr`);
  check(tr === '并单', 'history names the merge: ' + tr);
  check(await desk.$eval(`.case-view[data-case-id="${dup}"] [data-test=duplicates]`, (e) => e.hidden), 'no card on a closed case');
  check(b.problems.length === 0, 'page errors: ' + b.problems.join('; '));
  out({ step: 'done' });
} catch (e) {
  if (process.env.SHOTS) await b.screenshots(`${process.env.SHOTS}/failure`);
  throw e;
} finally {
  await b.close();
}
