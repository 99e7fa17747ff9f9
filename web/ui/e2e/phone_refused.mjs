// A report the server refuses for good is shown as refused, with why, and never sent again. Two
// reports saved by an older version of the app wait in the outbox (one with a time without its
// zone, one with a field the protocol does not know) beside one made in the form, offline.
// Online, the good one is acknowledged and the two are refused before their fields are read:
// the answers repeat their ids, so the phone marks them 被拒收 with the field at fault, and a
// reconnection does not send them again. Prints {"good": client_id, "refused": [client_id]}
// (the first good report)
// for the Go test, which checks PostgreSQL. Run by web/phone_app_test.go; env: BASE_URL, PHONE,
// PASSWORD, LON, LAT; SHOTS, a folder for screenshots (optional).
import { randomUUID } from 'node:crypto';
import { check, env, phoneBrowser, signIn } from './browser.mjs';

const base = env('BASE_URL');
const lon = Number(env('LON'));
const lat = Number(env('LAT'));
const b = await phoneBrowser({ lon, lat });
const { context, page } = b;
const step = (s) => process.stderr.write(`phone_refused: ${s}\n`);

// Every report frame the phone sends, counted by its id (the report's client_id).
const sent = new Map();
page.on('websocket', (ws) => ws.on('framesent', (f) => {
  try {
    const m = JSON.parse(f.payload);
    if (m.type === 'report') sent.set(m.id, (sent.get(m.id) ?? 0) + 1);
  } catch { /* not ours to judge */ }
}));

// oldItem is an outbox item as an older version of the app stored it.
const oldItem = (change) => {
  const id = randomUUID();
  const report = { client_id: id, category: 'neighbour', severity: 'normal', description: '旧版应用保存的上报',
    lon, lat, accuracy_m: 10, happened_at: new Date(Date.now() - 3_600_000).toISOString(),
    handled_on_spot: false, on_spot_note: '', photos: [] };
  change(report);
  return { client_id: id, report, photos: [], state: 'queued', created_at: Date.now() - 60_000, updated_at: Date.now() - 60_000 };
};

try {
  step('sign in');
  await signIn(page, base + '/phone/', env('PHONE'), env('PASSWORD'));
  await page.waitForSelector('.conn[data-conn=online]');

  step('offline: one report from the form, two left by an older app');
  await context.setOffline(true);
  await page.waitForSelector('.conn[data-conn=offline]');
  await page.waitForFunction(() => document.querySelector('[data-test=where]')?.textContent.includes(','));
  await page.selectOption('select[name=category]', 'neighbour');
  await page.fill('textarea[name=description]', '两户因排水沟发生争执');
  await page.click('form.report button[type=submit]');
  await page.waitForFunction(() => document.querySelector('textarea[name=description]').value === '');
  const refused = [
    oldItem((r) => { r.happened_at = '2026-11-22T08:30:00'; }), // local time without its zone
    oldItem((r) => { r.address = '东阜村村委会旁'; }), // a field the protocol never had
  ];
  await page.evaluate(async (items) => {
    const req = (r) => new Promise((ok, fail) => { r.onsuccess = () => ok(r.result); r.onerror = () => fail(r.error); });
    const db = await req(indexedDB.open('griddispatch-phone', 1));
    const session = await req(db.transaction('kv').objectStore('kv').get('session'));
    const tx = db.transaction('outbox', 'readwrite');
    for (const it of items) tx.objectStore('outbox').put({ ...it, member_id: session.member.id });
    await new Promise((ok, fail) => { tx.oncomplete = ok; tx.onerror = () => fail(tx.error); });
    db.close();
  }, refused);

  step('online: the good one acknowledged, the two refused with the field named');
  await context.setOffline(false);
  await page.waitForSelector('.conn[data-conn=online]', { timeout: 40_000 });
  await page.click('[data-tab=mine]');
  await page.waitForFunction((ids) => {
    const rows = [...document.querySelectorAll('.report-row')];
    const state = (id) => rows.find((r) => r.dataset.clientId === id)?.dataset.state;
    return rows.length === 3 && ids.every((id) => state(id) === 'rejected') &&
      rows.some((r) => !ids.includes(r.dataset.clientId) && r.dataset.state === 'acked' && r.dataset.caseId !== '');
  }, refused.map((it) => it.client_id), { timeout: 30_000 });
  const rows = await page.$$eval('.report-row', (rs) => rs.map((r) => ({ id: r.dataset.clientId, state: r.dataset.state,
    text: r.textContent, label: r.querySelector('.state')?.textContent })));
  const good = rows.find((r) => r.state === 'acked');
  const timeRow = rows.find((r) => r.id === refused[0].client_id);
  const fieldRow = rows.find((r) => r.id === refused[1].client_id);
  check(timeRow.label === '被拒收' && timeRow.text.includes('发生时间有误') && timeRow.text.includes('happened_at'), 'the time row says why: ' + timeRow.text);
  check(fieldRow.label === '被拒收' && fieldRow.text.includes('address'), 'the unknown-field row names it: ' + fieldRow.text);
  check(await page.$eval('[data-tab=mine] .badge', (el) => el.hidden), 'no report waits on the tab badge');
  if (process.env.SHOTS) await page.screenshot({ path: process.env.SHOTS + '/phone-refused-360.png', fullPage: true });

  step('a reconnection does not send them again');
  await context.setOffline(true);
  await page.waitForSelector('.conn[data-conn=offline]');
  await context.setOffline(false);
  await page.waitForSelector('.conn[data-conn=online]', { timeout: 40_000 });
  // The outbox sends oldest first: once a new report is acknowledged, a resend would have gone.
  await page.click('[data-tab=report]');
  await page.selectOption('select[name=category]', 'neighbour');
  await page.fill('textarea[name=description]', '重连后的新上报');
  await page.click('form.report button[type=submit]');
  await page.click('[data-tab=mine]');
  await page.waitForFunction(() => [...document.querySelectorAll('.report-row[data-state=acked]')].length === 2, null, { timeout: 30_000 });
  for (const it of refused) check(sent.get(it.client_id) === 1, `${it.client_id} sent ${sent.get(it.client_id)} times`);
  check(sent.get(good.id) === 1, `the good report sent ${sent.get(good.id)} times`);
  check((await page.$$('.report-row[data-state=rejected]')).length === 2, 'still refused after the reconnection');

  step('English on request');
  await page.click('[data-test=lang]');
  await page.waitForFunction(() => document.querySelector('.report-row[data-state=rejected] .state')?.textContent === 'Refused');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `my reports is ${width} px wide`);

  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ good: good.id, refused: refused.map((it) => it.client_id) }) + '\n');
} catch (e) {
  await page.screenshot({ path: process.env.SCREENSHOT ?? '/tmp/phone_refused_failure.png', fullPage: true }).catch(() => {});
  throw e;
} finally {
  await b.close();
}
