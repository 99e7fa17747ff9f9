// The weekly bulletin as a document: a township supervisor opens it and finds the server's
// letterhead (office, number, date) and summary paragraph; "下载 PDF" saves the server's PDF;
// printed on A4 (Chromium's page.pdf) no table is wider than the page and the controls are
// gone; at 360 px in English it fits the screen. Screenshots at 1366 and 360 px and the PDFs go
// to SHOTS. Run by web/dashboard_bulletin_app_test.go.
// Env: BASE_URL, PASSWORD, PHONE_S, SHOTS, OFFICE, NUMBER, SUMMARY, EN_OFFICE, EN_SUMMARY (URL-escaped).
import { join } from 'node:path';
import { check, consoleBrowser, env, signIn } from './browser.mjs';

const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const shots = env('SHOTS');
// A4 less the 12 mm margins of @page, in CSS pixels (96 per inch): the width print lays out in.
const a4Width = Math.floor(((210 - 2 * 12) / 25.4) * 96);

// openBulletin signs in, opens the bulletin and moves to this week (it opens on last week).
async function openBulletin(page, query = '') {
  await signIn(page, env('BASE_URL') + '/dashboard/' + query, env('PHONE_S'), env('PASSWORD'));
  await page.click('[data-test=bulletin]');
  await page.waitForSelector('.bulletin[data-loaded=true]');
  await page.click('[data-test=next-week]');
  await page.waitForFunction(() => document.querySelector('.bulletin[data-loaded=true]')?.querySelectorAll('[data-table=best] tbody tr[data-code]').length > 0);
}

// overflow lists what sticks out: tables wider than their box or than width, the page wider.
function overflow(page, width) {
  return page.evaluate((w) => {
    const out = [];
    for (const el of document.querySelectorAll('.bulletin table, .bulletin-doc, .bulletin-doc p, .bulletin .card')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0) continue;
      if (r.right > w + 0.5) out.push(`${el.tagName}.${el.className} ends at ${Math.round(r.right)}`);
      const box = el.closest('.scroll') ?? el;
      if (box.scrollWidth > box.clientWidth + 1) out.push(`${el.tagName}.${el.className} scrolls: ${box.scrollWidth} > ${box.clientWidth}`);
    }
    if (document.scrollingElement.scrollWidth > w + 1) out.push('page ' + document.scrollingElement.scrollWidth);
    return out;
  }, width);
}

const b = await consoleBrowser();
try {
  // At a desk, in Chinese: the document as the server wrote it.
  const s = await b.page('S', { width: 1366, height: 900 });
  await openBulletin(s);
  const doc = await s.evaluate(() => ({
    office: document.querySelector('[data-test=office]').textContent,
    number: document.querySelector('[data-test=number]').textContent,
    date: document.querySelector('[data-test=date]').textContent,
    title: document.querySelector('.bulletin-head h2').textContent,
    summary: document.querySelector('[data-test=summary]').textContent,
    note: document.querySelector('[data-test=ranking-note]').textContent,
    best: [...document.querySelectorAll('.bulletin [data-table=best] tbody tr[data-code]')].map((e) => e.dataset.code),
    worst: [...document.querySelectorAll('.bulletin [data-table=worst] tbody tr[data-code]')].map((e) => e.dataset.code),
  }));
  check(doc.office === env('OFFICE') && doc.number === env('NUMBER') && /^\d{4}年\d{1,2}月\d{1,2}日$/.test(doc.date), 'letterhead: ' + JSON.stringify(doc));
  check(doc.title === '矛盾纠纷和事件办理一周通报' && doc.summary === env('SUMMARY'), 'title and summary: ' + JSON.stringify(doc));
  check(doc.note.includes('受理2件以上') && doc.best[0] === '140802001001' && doc.worst[0] === '140802001002', 'ranking: ' + JSON.stringify(doc));
  check(await overflow(s, 1366).then((o) => o.length === 0), 'fits 1366 px');
  await s.screenshot({ path: join(shots, 'bulletin-1366.png'), fullPage: true });
  say({ step: 'document', ...doc });

  // The server's PDF, downloaded with the session's token.
  const [download] = await Promise.all([s.waitForEvent('download'), s.click('[data-test=pdf]')]);
  const name = download.suggestedFilename();
  check(/^bulletin-140802001-\d{4}-W\d{2}\.pdf$/.test(name), 'the PDF is named: ' + name);
  await download.saveAs(join(shots, 'bulletin-download.pdf'));
  check((await s.textContent('.bulletin [role=alert]')) === '', 'no error downloading');
  say({ step: 'pdf', name });

  // Printed on A4: laid out at the page's width, without controls, no table wider than it.
  await s.setViewportSize({ width: a4Width, height: 1100 });
  await s.emulateMedia({ media: 'print' });
  const printed = await overflow(s, a4Width);
  check(printed.length === 0, 'printed on A4, something overflows: ' + printed.join('; '));
  check(!(await s.isVisible('[data-test=pdf]')) && !(await s.isVisible('[data-test=print]')) && await s.isVisible('[data-test=office]'),
    'print shows the document without its controls');
  await s.pdf({ path: join(shots, 'bulletin-print.pdf'), format: 'A4', printBackground: true, preferCSSPageSize: true });
  await s.emulateMedia({ media: 'screen' });
  say({ step: 'print', width: a4Width });

  // A phone, in English.
  const n = await b.page('N', { width: 360, height: 740 });
  await openBulletin(n, '?lang=en');
  const en = await n.evaluate(() => ({
    office: document.querySelector('[data-test=office]').textContent,
    summary: document.querySelector('[data-test=summary]').textContent,
    pdf: document.querySelector('[data-test=pdf]').textContent,
    button: document.querySelector('[data-test=pdf]').getBoundingClientRect().height,
  }));
  check(en.office === env('EN_OFFICE') && en.summary === decodeURIComponent(env('EN_SUMMARY').replace(/\+/g, ' ')) && en.pdf === 'Download PDF',
    'the bulletin in English: ' + JSON.stringify(en));
  check(en.button >= 44, 'the PDF button is a tap target: ' + en.button);
  const width = await n.evaluate(() => document.scrollingElement.scrollWidth);
  check(width <= 360, 'the bulletin fits 360 px: ' + width);
  await n.screenshot({ path: join(shots, 'bulletin-360-en.png'), fullPage: true });
  const z = await b.page('Z', { width: 360, height: 740 });
  await openBulletin(z);
  await z.screenshot({ path: join(shots, 'bulletin-360.png'), fullPage: true });
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  say({ step: 'narrow', width });
} catch (e) {
  await b.screenshots(process.env.SCREENSHOT ?? '/tmp/dashboard_bulletin_failure.png');
  throw e;
} finally {
  await b.close();
}
