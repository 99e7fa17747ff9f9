// The grid worker's day with one bar of signal: sign in, lose the network, make two reports
// (and even reload the app while offline), get the network back, and see both acknowledged
// with case numbers. Prints {"reports":[{client_id, case_id}]} for the Go test, which checks
// each is in PostgreSQL exactly once. Run by web/phone_app_test.go; env: BASE_URL, PHONE,
// PASSWORD, LON, LAT.
import { check, env, phoneBrowser } from './browser.mjs';

const base = env('BASE_URL');
const b = await phoneBrowser({ lon: Number(env('LON')), lat: Number(env('LAT')) });
const { context, page } = b;
const step = (s) => process.stderr.write(`phone_offline: ${s}\n`);

try {
  step('sign in');
  await page.goto(base + '/phone/');
  check((await page.getAttribute('html', 'lang')) === 'zh-CN', 'Chinese by default');
  await page.fill('input[name=phone]', env('PHONE'));
  await page.fill('input[name=password]', env('PASSWORD'));
  await page.click('form.signin button[type=submit]');
  await page.waitForSelector('.conn[data-conn=online]');
  await page.waitForFunction(() => document.querySelector('[data-test=grid]')?.textContent.includes('›'));
  const grid = await page.textContent('[data-test=grid]');
  step(`located in ${grid}`);

  step('installable: manifest and service worker');
  const manifest = await page.evaluate(async () => {
    const href = document.querySelector('link[rel=manifest]').href;
    return (await fetch(href)).json();
  });
  check(manifest.start_url === '/phone/' && manifest.display === 'standalone', 'manifest start_url and display');
  check(manifest.icons.some((i) => i.sizes === '512x512') && manifest.icons.some((i) => i.sizes === '192x192'), 'manifest icons');
  // The worker controls the page once installed (it claims its clients), with the shell cached.
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });

  step('go offline and report twice');
  await context.setOffline(true);
  await page.waitForSelector('.conn[data-conn=offline]');
  // A 1x1 PNG, picked offline, uploaded when the network returns, before its report is sent.
  const photo = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  const reports = [
    { category: 'neighbour', description: '两户因排水沟发生争执，需村调解。<b>原样</b>', photo },
    { category: 'fire', description: '楼道堆放杂物，存在消防隐患', urgent: true },
  ];
  for (const r of reports) {
    await page.selectOption('select[name=category]', r.category);
    if (r.urgent) await page.check('input[name=severity][value=urgent]');
    await page.fill('textarea[name=description]', r.description);
    if (r.photo) {
      await page.setInputFiles('input[type=file]', { name: 'drain.png', mimeType: 'image/png', buffer: r.photo });
      await page.waitForSelector('.thumbs img');
    }
    await page.click('form.report button[type=submit]');
    await page.waitForFunction(() => document.querySelector('textarea[name=description]').value === '');
  }
  await page.click('[data-tab=mine]');
  await page.waitForFunction(() => document.querySelectorAll('.report-row[data-state=queued]').length === 2);
  check((await page.textContent('[data-tab=mine] .badge')) === '2', 'two waiting on the tab badge');

  step('reload the app while still offline: the outbox survives');
  await page.reload();
  await page.click('[data-tab=mine]');
  await page.waitForFunction(() => document.querySelectorAll('.report-row[data-state=queued]').length === 2);
  const queued = await page.$$eval('.report-row', (rows) => rows.map((r) => r.dataset.clientId));
  const shownDescription = await page.textContent('.report-row .desc');
  check(shownDescription.includes('<b>原样</b>') || (await page.$$eval('.report-row .desc', (d) => d.some((x) => x.textContent.includes('<b>原样</b>')))), 'markup in a description is shown as text');
  check((await page.$$('.report-row .desc b')).length === 0, 'no markup from a description');

  step('back online: both acknowledged');
  await context.setOffline(false);
  await page.waitForSelector('.conn[data-conn=online]', { timeout: 40_000 });
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('.report-row')];
    return rows.length === 2 && rows.every((r) => r.dataset.state === 'acked' && r.dataset.caseId !== '');
  }, null, { timeout: 30_000 });
  const rows = await page.$$eval('.report-row', (rs) => rs.map((r) => ({
    client_id: r.dataset.clientId, case_id: Number(r.dataset.caseId), text: r.textContent })));
  check(rows.every((r) => r.text.includes('案件号 ' + r.case_id)), 'case numbers shown');
  check(JSON.stringify(rows.map((r) => r.client_id).sort()) === JSON.stringify([...queued].sort()), 'the same reports');

  step('fits a 360-px screen');
  for (const tab of ['report', 'mine']) {
    await page.click(`[data-tab=${tab}]`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    check(width <= 360, `${tab} tab is ${width} px wide`);
  }

  step('English on request');
  await page.click('[data-test=lang]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.click('[data-tab=mine]');
  await page.waitForFunction(() => document.querySelector('.report-row .case-no')?.textContent.startsWith('Case '));

  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ reports: rows.map(({ client_id, case_id }) => ({ client_id, case_id })) }) + '\n');
} catch (e) {
  await page.screenshot({ path: process.env.SCREENSHOT ?? '/tmp/phone_offline_failure.png', fullPage: true }).catch(() => {});
  throw e;
} finally {
  await b.close();
}
