// The real apps through the fault tests (docs/faults.md): a grid worker's phone app and the
// village mediator's console stay open in Chromium while cmd/faults kills and restarts the
// server, NATS and PostgreSQL. After each fault the harness touches SIGNAL_DIR/fault-N; the
// phone then reports, and the script waits until the phone has its acknowledgement with a case
// number and the console shows that case in its queue, live, without a reload: both reconnected
// by themselves. SIGNAL_DIR/stop ends it. Prints one JSON line per fault and one at the end.
// Env: PHONE_URL, CONSOLE_URL, PASSWORD, PHONE, LON, LAT, MEDIATOR, SIGNAL_DIR.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { check, consoleBrowser, env, phoneBrowser, signIn } from './browser.mjs';

const signals = env('SIGNAL_DIR');
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const patience = 180_000; // a fault's recovery, with the phone's back-off on top

// watchConn counts the times the page's connection badge leaves "online".
const watchConn = (page) => page.evaluate(() => {
  window.__drops = 0;
  const badge = document.querySelector('.conn');
  new MutationObserver(() => { if (badge.dataset.conn !== 'online') window.__drops++; })
    .observe(badge, { attributes: true, attributeFilter: ['data-conn'] });
  window.__sameDocument = true;
});
const drops = (page) => page.evaluate(() => window.__drops);

const phone = await phoneBrowser({ lon: Number(env('LON')), lat: Number(env('LAT')) });
const desk = await consoleBrowser();
try {
  const p = phone.page;
  await signIn(p, env('PHONE_URL') + '/phone/', env('PHONE'), env('PASSWORD'));
  await p.waitForSelector('.conn[data-conn=online]');
  await watchConn(p);

  const c = await desk.page('mediator');
  await signIn(c, env('CONSOLE_URL') + '/console/', env('MEDIATOR'), env('PASSWORD'));
  await c.waitForSelector('.queue[data-loaded=true]');
  await c.waitForSelector('.conn[data-conn=online]');
  await watchConn(c);
  out({ step: 'ready' });

  for (let n = 1; ; n++) {
    while (!existsSync(join(signals, `fault-${n}`)) && !existsSync(join(signals, 'stop'))) await sleep(200);
    if (!existsSync(join(signals, `fault-${n}`))) break;
    const start = Date.now();
    const description = `故障${n}之后的上报 <b>原样</b>`;
    await p.click('[data-tab=report]');
    await p.selectOption('select[name=category]', 'neighbour');
    await p.fill('textarea[name=description]', description);
    await p.click('form.report button[type=submit]');
    await p.waitForFunction(() => document.querySelector('textarea[name=description]').value === '');
    await p.click('[data-tab=mine]');
    const caseID = Number(await (await p.waitForFunction((d) => {
      const row = [...document.querySelectorAll('.report-row')].find((r) => r.textContent.includes(d));
      return row && row.dataset.state === 'acked' && row.dataset.caseId !== '' && row.dataset.caseId;
    }, description, { timeout: patience, polling: 250 })).jsonValue());
    const acked = Date.now() - start;
    await c.waitForSelector(`.queue li.case-row[data-case-id="${caseID}"]`, { timeout: patience });
    check(await c.evaluate(() => window.__sameDocument === true), 'the console never reloaded');
    out({ step: 'fault', n, case_id: caseID, phone_acked_ms: acked, console_seen_ms: Date.now() - start,
      phone_drops: await drops(p), console_drops: await drops(c) });
  }
  check(phone.problems.length === 0 && desk.problems.length === 0,
    'no page errors: ' + [...phone.problems, ...desk.problems].join('; '));
  out({ step: 'done', phone_drops: await drops(p), console_drops: await drops(c) });
} catch (e) {
  await phone.page.screenshot({ path: join(signals, 'phone-failure.png'), fullPage: true }).catch(() => {});
  await desk.screenshots(join(signals, 'console-failure.png'));
  throw e;
} finally {
  await phone.close();
  await desk.close();
}
