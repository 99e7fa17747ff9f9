// Load time of the four apps on a slow link (issue 15, docs/benchmarks.md): Chromium's own
// throttling (CDP Network.emulateNetworkConditions: 150 ms latency, 1.6 Mbit/s = 200,000 bytes/s
// each way) against a running server. For each app and run, a fresh browser context (empty
// cache, no service worker) opens the app, waits for the sign-in form, signs in and waits for
// the first figures or cases the app shows. It prints one JSON line per run, then the medians.
//
// Env: BASE_URL (http://127.0.0.1:8080, `make run`'s), RUNS (3), APPS (phone,console,dashboard,admin),
// PASSWORD (demo1408), LABEL (a name for the figures), or instead of BASE_URL and LABEL,
// TARGETS=before=http://127.0.0.1:8091,after=http://127.0.0.1:8092 to compare two servers run by
// run, in turns, so that a machine busy with something else slows both alike; SHOTS (a
// directory: a screenshot of the form and of the first figures, each run), WIDTH (the viewport's
// width instead of the app's own: 360 for the phone, 1366 for the desks); each app's member:
// PHONE_PHONE (13901000011, a grid worker), PHONE_CONSOLE (13901000009, a village mediator),
// PHONE_DASHBOARD (13901000003, the county's supervisor), PHONE_ADMIN (13901000005, the county's
// administrator). LATENCY_MS and THROUGHPUT (bytes/s) change the link.
import { chromium } from 'playwright-core';

const env = process.env;
const targets = env.TARGETS
  ? env.TARGETS.split(',').map((t) => { const [label, ...url] = t.split('='); return { label, base: url.join('=') }; })
  : [{ label: env.LABEL ?? '', base: env.BASE_URL ?? 'http://127.0.0.1:8080' }];
const runs = Number(env.RUNS ?? 3);
const password = env.PASSWORD ?? 'demo1408';
const link = { offline: false, latency: Number(env.LATENCY_MS ?? 150),
  downloadThroughput: Number(env.THROUGHPUT ?? 200_000), uploadThroughput: Number(env.THROUGHPUT ?? 200_000) };

// What each app shows first after signing in (the selectors the apps' browser tests wait for).
const appsByName = {
  phone: { member: '13901000011', viewport: { width: 360, height: 740 }, mobile: true,
    // the grid worker's own reports, listed from GET /api/my/reports (the "mine" tab)
    first: 'ul.reports > li.report-row' },
  console: { member: '13901000009', viewport: { width: 1366, height: 768 },
    first: '.queue[data-loaded=true]' },
  dashboard: { member: '13901000003', viewport: { width: 1366, height: 768 },
    first: '.kpi[data-kpi]:not([data-value=""])' },
  admin: { member: '13901000005', viewport: { width: 1366, height: 768 },
    first: '.unit-detail[data-loaded=true]' },
};
const names = (env.APPS ?? 'phone,console,dashboard,admin').split(',');

const browser = await chromium.launch({
  executablePath: env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
});

// once measures one app once, from an empty cache.
async function once(name, { label, base }, run) {
  const app = appsByName[name];
  const viewport = env.WIDTH ? { width: Number(env.WIDTH), height: app.viewport.height } : app.viewport;
  const shot = (what) => env.SHOTS && page.screenshot({ path: `${env.SHOTS}/${name}-${viewport.width}-${label || 'run'}${run}-${what}.png` });
  let page;
  const context = await browser.newContext({ viewport, isMobile: !!app.mobile, hasTouch: !!app.mobile,
    locale: 'zh-CN', serviceWorkers: 'block' });
  try {
    page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', link);
    // encodedDataLength is what came over the wire for a request: headers and the body as sent
    // (compressed when it was); websocket frames are left out (a few hundred bytes here). A
    // milestone counts the requests answered by then, each in full once it has finished, so that
    // CDP's events arriving a little after the page's own do not drop a response.
    const seen = new Map(); // requestId -> { bytes, encoding }
    cdp.on('Network.responseReceived', (e) => {
      const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      seen.set(e.requestId, { bytes: undefined, encoding: h['content-encoding'] ?? 'identity' });
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = seen.get(e.requestId);
      if (r) r.bytes = e.encodedDataLength;
    });
    const answered = () => [...seen.keys()];
    const bytesOf = async (ids) => {
      for (let deadline = Date.now() + 10_000; ids.some((id) => seen.get(id).bytes === undefined) && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 50));
      }
      return ids.reduce((n, id) => n + (seen.get(id).bytes ?? 0), 0);
    };
    const start = Date.now();
    await page.goto(base + '/' + name + '/', { waitUntil: 'commit', timeout: 120_000 });
    await page.waitForSelector('form.signin input[name=password]', { state: 'visible', timeout: 120_000 });
    const formMs = Date.now() - start;
    const formIDs = answered();
    await shot('signin');
    await page.fill('input[name=phone]', env['PHONE_' + name.toUpperCase()] ?? app.member);
    await page.fill('input[name=password]', password);
    const submitted = Date.now();
    await page.click('form.signin button[type=submit]');
    await page.waitForSelector(app.first, { state: 'attached', timeout: 120_000 });
    const firstMs = Date.now() - start;
    const afterSignInMs = Date.now() - submitted;
    const firstIDs = answered();
    const encodings = {};
    for (const id of firstIDs) encodings[seen.get(id).encoding] = (encodings[seen.get(id).encoding] ?? 0) + 1;
    await shot('first');
    const formBytes = await bytesOf(formIDs);
    const bytes = await bytesOf(firstIDs);
    return { app: name, label, form_ms: formMs, form_bytes: formBytes, first_ms: firstMs,
      after_sign_in_ms: afterSignInMs, first_bytes: bytes, requests: firstIDs.length, encodings };
  } finally {
    await context.close();
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const kb = (n) => (n / 1000).toFixed(1);
const sec = (ms) => (ms / 1000).toFixed(2);

const rows = [];
try {
  for (const name of names) {
    if (!appsByName[name]) throw new Error(`APPS: no app ${name}`);
    const got = new Map(targets.map((t) => [t.label, []]));
    for (let i = 1; i <= runs; i++) {
      for (const target of targets) {
        const r = await once(name, target, i);
        process.stdout.write(JSON.stringify({ ...r, run: i }) + '\n');
        got.get(target.label).push(r);
      }
    }
    for (const [label, rs] of got) {
      const m = (k) => median(rs.map((r) => r[k]));
      rows.push({ app: name, label, form_bytes: m('form_bytes'), form_ms: m('form_ms'), first_bytes: m('first_bytes'),
        first_ms: m('first_ms'), after_sign_in_ms: m('after_sign_in_ms') });
    }
  }
} finally {
  await browser.close();
}
process.stdout.write(`\nmedians of ${runs} runs, ${link.latency} ms latency, ${link.downloadThroughput} bytes/s each way:\n\n`);
process.stdout.write('| app | build | kB to sign-in form | s to sign-in form | kB to first figures | s to first figures | of which after signing in (s) |\n');
process.stdout.write('|---|---|---:|---:|---:|---:|---:|\n');
for (const r of rows) {
  process.stdout.write(`| ${r.app} | ${r.label} | ${kb(r.form_bytes)} | ${sec(r.form_ms)} | ${kb(r.first_bytes)} | ${sec(r.first_ms)} | ${sec(r.after_sign_in_ms)} |\n`);
}
