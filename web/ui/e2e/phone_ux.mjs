// Issue 15's phone app, as a grid worker meets it at 360 px: (1) the map in the report form, a
// pin dragged into the other micro-grid, the outlines kept offline, a worker outside the grid;
// (2) camera or gallery, a 12-megapixel photo downscaled before upload, with progress; (3) the
// form reset, the receipt (待发送, 已送达，案件编号 N), 待发送 unlike 待受理, the 紧急 mark, the
// 核查通过 answer in view; (4) 我的上报 paged past the first 100, searched, with descriptions and
// the case page's photos; (5) 44-px tap targets, 退出 asks first. Prints {"moved": client_id}
// and {"big": client_id} for web/phone_ux_app_test.go, which checks them in PostgreSQL. Env:
// BASE_URL, PHONE, PASSWORD, LON, LAT, PHOTO_CASE, VERIFY_CASE; SHOTS=dir saves screenshots.
import { check, env, phoneBrowser } from './browser.mjs';

const base = env('BASE_URL');
const photoCase = Number(env('PHOTO_CASE'));
const verifyCase = Number(env('VERIFY_CASE'));
const shots = process.env.SHOTS;
const b = await phoneBrowser({ lon: Number(env('LON')), lat: Number(env('LAT')), accuracy: 40 });
const { context, page } = b;
const step = (s) => process.stderr.write(`phone_ux: ${s}\n`);
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');

// shot saves the page at 360 px, and at 1366 px when asked.
async function shot(name, wide = false) {
  if (!shots) return;
  const fullPage = (await page.evaluate(() => document.documentElement.scrollHeight)) < 2000; // not 100 rows long
  await page.screenshot({ path: `${shots}/${name}-360.png`, fullPage });
  if (wide) {
    await page.setViewportSize({ width: 1366, height: 900 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${shots}/${name}-1366.png`, fullPage });
    await page.setViewportSize({ width: 360, height: 740 });
    await page.waitForTimeout(300);
  }
}

// smallTargets lists what can be tapped and is under 44 px either way (radio buttons and
// checkboxes count by their label, which is what the thumb hits).
async function smallTargets(where) {
  const small = await page.evaluate(() => {
    const sel = 'button, a[href], select, textarea, input:not([type=hidden]):not([type=radio]):not([type=checkbox]):not(.visually-hidden), [role=button], label.button, label.check, .leaflet-control-zoom a, .leaflet-marker-draggable';
    return [...document.querySelectorAll(sel)].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden' && (r.width < 44 || r.height < 44);
    }).map((el) => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 12)}" ${Math.round(el.getBoundingClientRect().width)}x${Math.round(el.getBoundingClientRect().height)}`);
  });
  check(small.length === 0, `tap targets under 44 px on ${where}: ${small.join('; ')}`);
}

async function narrow(where) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `${where} is ${width} px wide at 360`);
}

const unitOf = () => page.getAttribute('[data-test=grid]', 'data-unit');

try {
  step('sign in');
  await page.goto(base + '/phone/');
  await page.fill('input[name=phone]', env('PHONE'));
  await page.fill('input[name=password]', env('PASSWORD'));
  await page.click('form.signin button[type=submit]');
  await page.waitForSelector('.conn[data-conn=online]');
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 15_000 });

  step('1. the map: the grid, its micro-grids, the fix and its circle, the pin');
  await page.waitForSelector('[data-test=map] .leaflet-marker-icon.pin');
  // the grid, two micro-grids and the accuracy circle
  await page.waitForFunction(() => document.querySelectorAll('[data-test=map] path').length >= 4);
  check((await page.$$('[data-test=map] .leaflet-tile')).length === 0, 'no tiles: a plain background');
  await page.waitForFunction(() => document.querySelector('[data-test=grid]').dataset.unit === '140802001001001001');
  check((await page.textContent('[data-test=grid]')).includes('第1微网格'), 'the pin is in micro-grid 1');
  await smallTargets('the report form');
  await narrow('the report form');
  await shot('report-form', true);

  step('1. drag the pin into micro-grid 2: the unit follows it');
  const micro2 = await page.evaluate(() => {
    // the micro-grids' labels sit at their centres; micro-grid 2 is the one named so
    const label = [...document.querySelectorAll('.unit-label')].find((l) => l.textContent.includes('第2微网格'));
    const r = label.getBoundingClientRect();
    return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
  });
  // grabbed by its head, the pin's tip (where it points) is half its height lower
  const pin = await page.$eval('[data-test=map] .pin', (el) => { const r = el.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + r.height / 2, tip: r.height / 2 }; });
  const to = { x: micro2.x, y: micro2.y - pin.tip };
  await page.mouse.move(pin.x, pin.y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(pin.x + ((to.x - pin.x) * i) / 10, pin.y + ((to.y - pin.y) * i) / 10);
  await page.mouse.up();
  await page.waitForFunction(() => document.querySelector('[data-test=grid]').dataset.unit === '140802001001001002');
  await page.waitForFunction(() => document.querySelector('[data-test=grid]').textContent.includes('第2微网格'));
  check(await page.isVisible('[data-test=pin-moved]'), 'says the place was set by hand');
  await page.selectOption('select[name=category]', 'neighbour');
  await page.check('input[name=severity][value=urgent]');
  await page.fill('textarea[name=description]', '拖动标记后的上报：排水沟堵塞');
  await page.click('form.report button[type=submit]');

  step('3. the form resets; the receipt says 已送达，案件编号 N');
  await page.waitForFunction(() => document.querySelector('textarea[name=description]').value === '');
  check((await page.inputValue('select[name=category]')) === '', 'category reset');
  check(await page.isChecked('input[name=severity][value=normal]'), 'urgency back to 一般');
  await page.waitForSelector('[data-test=receipt][data-state=acked]', { timeout: 20_000 });
  const receipt = await page.textContent('[data-test=receipt]');
  check(/^已送达，案件编号 \d+$/.test(receipt), 'receipt: ' + receipt);
  const movedID = await page.evaluate(async () => {
    const rows = await new Promise((resolve) => {
      const req = indexedDB.open('griddispatch-phone');
      req.onsuccess = () => {
        const all = req.result.transaction('outbox').objectStore('outbox').getAll();
        all.onsuccess = () => resolve(all.result);
      };
    });
    return rows.find((r) => r.report.description.startsWith('拖动标记后的上报')).client_id;
  });
  say({ moved: movedID });
  await shot('receipt-acked');

  step('2. camera or gallery: two ways to add a photo');
  check((await page.getAttribute('[data-test=camera]', 'capture')) === 'environment', 'the camera button opens the camera');
  check((await page.getAttribute('[data-test=gallery]', 'capture')) === null, 'the gallery button does not force the camera');
  check((await page.getAttribute('[data-test=gallery]', 'multiple')) !== null, 'several photos from the gallery at once');

  step('2. a 12-megapixel photo from the gallery is downscaled before it is kept');
  const bigPhoto = Buffer.from(await page.evaluate(async () => {
    const c = document.createElement('canvas');
    c.width = 4000;
    c.height = 3000;
    const g = c.getContext('2d');
    const grad = g.createLinearGradient(0, 0, 4000, 3000);
    grad.addColorStop(0, '#3a6'); grad.addColorStop(1, '#c84');
    g.fillStyle = grad;
    g.fillRect(0, 0, 4000, 3000);
    for (let i = 0; i < 60000; i++) {
      g.fillStyle = `hsl(${(i * 37) % 360} 60% 50%)`;
      g.fillRect((i * 7919) % 4000, (i * 104729) % 3000, 9, 9);
    }
    const blob = await new Promise((r) => c.toBlob(r, 'image/jpeg', 0.95));
    const bytes = new Uint8Array(await blob.arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  }), 'base64');
  step(`the photo: ${bigPhoto.length} bytes`);
  await page.setInputFiles('[data-test=gallery]', { name: 'IMG_20261206.jpg', mimeType: 'image/jpeg', buffer: bigPhoto });
  await page.waitForSelector('.report .thumbs figure', { timeout: 20_000 });
  const kept = await page.$eval('.report .thumbs figure', (f) => ({ bytes: Number(f.dataset.bytes), type: f.dataset.type,
    w: f.querySelector('img').naturalWidth, h: f.querySelector('img').naturalHeight }));
  await page.waitForFunction(() => document.querySelector('.report .thumbs img').naturalWidth > 0);
  const dims = await page.$eval('.report .thumbs img', (i) => [i.naturalWidth, i.naturalHeight]);
  check(kept.type === 'image/jpeg' && kept.bytes < bigPhoto.length / 4 && kept.bytes < 1 << 20, `kept ${JSON.stringify(kept)} of ${bigPhoto.length} bytes`);
  check(dims[0] === 1600 && dims[1] === 1200, 'long edge 1600 px: ' + dims);

  step('2. upload progress on a slow link');
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 200, downloadThroughput: 200_000, uploadThroughput: 60_000 });
  await page.evaluate(() => {
    window.receiptStates = [];
    const r = document.querySelector('[data-test=receipt]');
    new MutationObserver(() => window.receiptStates.push(r.dataset.state + ':' + r.textContent + (r.querySelector('progress') ? ':bar' : '')))
      .observe(r, { subtree: true, childList: true, attributes: true });
  });
  await page.selectOption('select[name=category]', 'neighbour');
  await page.fill('textarea[name=description]', '带大照片的上报：围墙开裂');
  const firstReceipt = await page.textContent('[data-test=receipt]');
  await page.click('form.report button[type=submit]');
  await page.waitForFunction((old) => {
    const r = document.querySelector('[data-test=receipt]');
    return r.dataset.state === 'acked' && r.textContent !== old;
  }, firstReceipt, { timeout: 90_000 });
  await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  const states = await page.evaluate(() => window.receiptStates);
  check(states.some((s) => /^uploading:正在上传照片 1\/1：\d+%:bar$/.test(s)), 'progress shown: ' + states.join(' | '));
  const bigID = await page.evaluate(async () => {
    const rows = await new Promise((resolve) => {
      const req = indexedDB.open('griddispatch-phone');
      req.onsuccess = () => {
        const all = req.result.transaction('outbox').objectStore('outbox').getAll();
        all.onsuccess = () => resolve(all.result);
      };
    });
    return rows.find((r) => r.report.description.startsWith('带大照片的上报')).client_id;
  });
  say({ big: bigID });

  step('3. offline: the receipt says 待发送');
  await context.setOffline(true);
  await page.waitForSelector('.conn[data-conn=offline]');
  await page.selectOption('select[name=category]', 'neighbour');
  await page.fill('textarea[name=description]', '离线时的上报：井盖缺失');
  await page.click('form.report button[type=submit]');
  await page.waitForSelector('[data-test=receipt][data-state=queued]');
  check((await page.textContent('[data-test=receipt]')).startsWith('待发送'), 'receipt while offline: ' + (await page.textContent('[data-test=receipt]')));
  await shot('receipt-queued');

  step('1. offline, reloaded: the map comes from the phone, the pin still finds its unit');
  await page.reload();
  await page.waitForSelector('[data-test=map] .leaflet-marker-icon.pin');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=map] path').length >= 4);
  await page.waitForFunction(() => document.querySelector('[data-test=grid]').dataset.unit === '140802001001001001');

  step('3. 待发送 looks unlike 待受理; the 紧急 mark');
  await page.click('[data-tab=mine]');
  await page.waitForSelector('.report-row[data-state=queued]');
  await page.waitForSelector('.report-row[data-case-state=queued] .state');
  const look = (sel) => page.$eval(sel, (el) => { const s = getComputedStyle(el); return [s.backgroundColor, s.color, s.borderTopStyle].join(' '); });
  const pending = await look('.report-row[data-state=queued] .state');
  const awaiting = await look('.report-row[data-state=acked][data-case-state=queued] .state');
  check(pending !== awaiting && (await page.textContent('.report-row[data-state=queued] .state')).includes('待发送'), `待发送 (${pending}) unlike 待受理 (${awaiting})`);
  const urgent = page.locator('.report-row', { hasText: '拖动标记后的上报' });
  check((await urgent.locator('[data-test=urgent]').textContent()) === '紧急', 'urgent mark on the urgent report');
  await shot('mine-offline');
  await context.setOffline(false);
  await page.waitForSelector('.conn[data-conn=online]', { timeout: 40_000 });
  await page.waitForFunction(() => document.querySelectorAll('.report-row[data-state=queued]').length === 0, null, { timeout: 30_000 });

  step('4. 我的上报: descriptions, then older pages past the first 100');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=list] .report-row').length >= 100);
  check((await page.locator('[data-test=list] .report-row', { hasText: '旧事 102：路灯不亮' }).count()) === 1, 'a row from the server shows its description');
  check((await page.locator('[data-test=list] .report-row', { hasText: '最早的一条' }).count()) === 0, 'the oldest is not on the first page');
  await smallTargets('my reports');
  await narrow('my reports');
  await shot('mine', true);
  const before = (await page.$$('[data-test=list] .report-row')).length;
  await page.click('[data-test=more]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-test=list] .report-row').length > n, before);
  await page.waitForSelector('[data-test=list] .report-row:has-text("最早的一条：水渠堵塞")');
  check(await page.isHidden('[data-test=more]'), 'no more pages');

  step('4. search by text and by case number');
  await page.fill('input[name=q]', '水渠');
  await page.click('.search-go');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=list] .report-row').length === 1);
  check((await page.textContent('[data-test=list] .report-row .desc')) === '最早的一条：水渠堵塞', 'found by text');
  await page.fill('input[name=q]', '#' + photoCase);
  await page.press('input[name=q]', 'Enter');
  await page.waitForFunction((id) => { const rows = document.querySelectorAll('[data-test=list] .report-row'); return rows.length === 1 && rows[0].dataset.caseId === String(id); }, photoCase);
  await shot('search');

  step('4. the case page shows my photos and the centre\'s');
  await page.click(`[data-test=list] .report-row[data-case-id="${photoCase}"]`);
  await page.waitForSelector('[data-test=own-photos] img[src^="blob:"]');
  await page.waitForSelector('[data-test=centre-photos] img[src^="blob:"]');
  check((await page.textContent('[data-test=own-photos]')).includes('我上报的照片（1 张）'), 'own photos labelled');
  check((await page.textContent('[data-test=centre-photos]')).includes('调解中心的照片（1 张）'), 'centre photos labelled');
  await smallTargets('the case page');
  await narrow('the case page');
  await shot('case-photos', true);
  await page.click('[data-test=back]');
  await page.click('[data-test=search-clear]');
  await page.waitForFunction(() => document.querySelectorAll('[data-test=list] .report-row').length > 100);

  step('3. 核查通过: the answer is where the worker is looking');
  await page.click(`.tasks .task[data-case-id="${verifyCase}"]`);
  await page.waitForSelector('.case-detail[data-state=verifying] .verify');
  await page.fill('textarea[name=verify_note]', '现场核实，已履行协议');
  // the worker scrolls down just far enough to reach the buttons, and taps 核查通过
  await page.evaluate(() => scrollBy(0, document.querySelector('[data-action=verify]').getBoundingClientRect().bottom - innerHeight + 12));
  check(await page.$eval('[data-test=verify-message]', (m) => m.getBoundingClientRect().bottom < 100), 'the message line is scrolled away before');
  await page.click('[data-action=verify]');
  await page.waitForSelector('.case-detail[data-state=closed]', { timeout: 15_000 });
  await page.waitForFunction(() => {
    const m = document.querySelector('[data-test=verify-message]');
    const r = m.getBoundingClientRect();
    const tabs = document.querySelector('nav.tabs').getBoundingClientRect();
    return m.textContent === '已核查通过，案件已办结' && r.top >= tabs.bottom && r.bottom <= innerHeight;
  }, null, { timeout: 5_000 });
  // a confirmation that stands out, not a line of small green text
  check(await page.$eval('[data-test=verify-message]', (m) => m.classList.contains('done') && getComputedStyle(m).borderTopWidth === '2px'), 'the answer stands out');
  await shot('verified');
  await page.click('[data-test=back]');

  step('1. outside the grid: the map shows where the grid is');
  await page.click('[data-tab=report]');
  await context.setGeolocation({ longitude: 111.2, latitude: 35.2, accuracy: 30 });
  await page.click('[data-test=relocate]');
  await page.waitForSelector('[data-test=outside-mine]:not([hidden])');
  check((await page.textContent('[data-test=outside-mine]')).includes('不在你的网格内'), 'says outside the worker\'s grid');
  const seen = await page.evaluate(() => {
    const m = document.querySelector('[data-test=map]').getBoundingClientRect();
    const inMap = (r) => r.right > m.left && r.left < m.right && r.bottom > m.top && r.top < m.bottom;
    const paths = [...document.querySelectorAll('[data-test=map] path')].map((p) => p.getBoundingClientRect());
    const pin = document.querySelector('[data-test=map] .pin').getBoundingClientRect();
    return { grid: paths.some(inMap), pin: inMap(pin) };
  });
  check(seen.grid && seen.pin, 'the grid and the pin both on the map: ' + JSON.stringify(seen));
  await shot('outside-grid');

  step('English on request');
  await page.click('[data-test=lang]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.waitForSelector('[data-test=map] .leaflet-marker-icon.pin');
  check((await page.textContent('.photo-buttons')).includes('Choose from gallery'), 'gallery button in English');
  check((await page.textContent('.map-hint')).startsWith('If the place is wrong'), 'map hint in English');
  await page.click('[data-tab=mine]');
  check((await page.getAttribute('input[name=q]', 'placeholder')).includes('#case no.'), 'search in English');
  await shot('english-mine');
  await page.click('[data-test=lang]');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');

  step('5. 退出 asks first');
  await page.click('[data-test=sign-out]');
  await page.waitForSelector('[data-test=confirm-sign-out]:not([hidden])');
  check((await page.$$('form.signin')).length === 0, 'still signed in while asking');
  await smallTargets('the sign-out question');
  await shot('sign-out-confirm');
  await page.click('[data-test=sign-out-cancel]');
  await page.waitForSelector('[data-test=confirm-sign-out]', { state: 'hidden' });
  check((await page.$$('form.signin')).length === 0, 'cancel keeps the session');
  await page.click('[data-test=sign-out]');
  await page.click('[data-test=sign-out-yes]');
  await page.waitForSelector('form.signin');

  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
} catch (e) {
  await page.screenshot({ path: process.env.SCREENSHOT ?? '/tmp/phone_ux_failure.png', fullPage: true }).catch(() => {});
  throw e;
} finally {
  await b.close();
}
