// A township supervisor's dashboard: only their township, its villages coloured on the map by
// closure rate; the backlog by age holding the township's open cases; a drill-down by a click
// on the map's canvas and back by the breadcrumb, then by a ranking row into a village; a table
// exported with the session's token; the village's closed count changing live when the Go test
// closes a case (after the "drilled" line); the weekly bulletin, compared with the week before
// and listing the most overdue units (the other village has the overdue case), printable; the
// dashboard and the bulletin at 360 px in English. Run by web/dashboard_app_test.go.
// Env: BASE_URL, PASSWORD, PHONE_S, TOWNSHIP, OTHER_TOWNSHIP, VILLAGE, OTHER_VILLAGE,
// T_RECEIVED, T_CLOSED, T_OVERDUE, V_RECEIVED, V_CLOSED.
import { readFileSync } from 'node:fs';
import { check, consoleBrowser } from './browser.mjs';

const env = process.env;
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const map = (unit) => `.map-chart[data-unit="${unit}"][data-rendered]`;
const kpi = (key) => `.kpi[data-kpi=${key}]`;

async function signIn(page, query = '') {
  await page.goto(env.BASE_URL + '/dashboard/' + query);
  await page.fill('input[name=phone]', env.PHONE_S);
  await page.fill('input[name=password]', env.PASSWORD);
  await page.click('form.signin button[type=submit]');
}

async function kpiValue(page, key) {
  return page.$eval(kpi(key), (e) => e.dataset.value);
}

// backlogCard reads the backlog card: its total, its rows (band's first day, open cases, the
// words shown) and the bars behind the canvas.
async function backlogCard(page) {
  return page.$eval('[data-table=backlog]', (el) => ({
    total: el.dataset.total,
    shown: el.querySelector('.backlog-total').textContent,
    rows: [...el.querySelectorAll('tbody tr[data-from]')].map((r) => ({ from: r.dataset.from, open: r.dataset.open, text: r.textContent })),
    bars: el.querySelector('.small-chart').chart.getOption().series[0].data.map((d) => d.value),
    buttons: el.querySelectorAll('[data-export]').length,
  }));
}

// changeOf reads a bulletin headline's comparison with the week before.
async function changeOf(page, key) {
  return page.$eval(`.bulletin [data-kpi=${key}] dd.change`, (e) => ({
    delta: e.dataset.change, trend: e.dataset.trend, text: e.textContent, cls: e.className }));
}

async function crumbs(page) {
  return page.$$eval('.crumbs [data-code]', (els) => els.map((e) => e.dataset.code));
}

// mapData reads the map's series from the chart behind the canvas: each area's value and the
// colour the visual map gave it.
async function mapData(page) {
  return page.$eval('.map-chart', (el) => {
    const chart = el.chart;
    const data = chart.getOption().series[0].data;
    return data.map((d, i) => ({ code: d.name, value: d.value, fill: chart.getVisual({ seriesIndex: 0, dataIndex: i }, 'color') }));
  });
}

const b = await consoleBrowser();
try {
  const s = await b.page('S');
  await signIn(s);
  await s.waitForSelector(map(env.TOWNSHIP));
  await s.waitForSelector('.conn[data-conn=online]');

  // Only the township: the breadcrumb starts there, there is no other scope to pick, and the
  // API refuses the other township with this session.
  check(JSON.stringify(await crumbs(s)) === JSON.stringify([env.TOWNSHIP]), 'the breadcrumb is the township: ' + (await crumbs(s)));
  check((await s.$('select[name=scope]')) === null, 'one scope unit, no selector');
  const statuses = await s.evaluate(async ([other, own]) => {
    const token = JSON.parse(localStorage.getItem('griddispatch.dashboard.session')).token;
    const get = (u) => fetch(u, { headers: { Authorization: 'Bearer ' + token } });
    const scope = await (await get('/api/stats/scope')).json();
    return { other: (await get('/api/stats/summary?unit=' + other)).status, scope: scope.units.map((u) => u.code), own };
  }, [env.OTHER_TOWNSHIP, env.TOWNSHIP]);
  check(statuses.other === 403, 'the other township is refused: ' + statuses.other);
  check(JSON.stringify(statuses.scope) === JSON.stringify([env.TOWNSHIP]), 'scope: ' + statuses.scope);
  check(await kpiValue(s, 'received') === env.T_RECEIVED, 'township received: ' + (await kpiValue(s, 'received')));
  check(await kpiValue(s, 'closed') === env.T_CLOSED, 'township closed: ' + (await kpiValue(s, 'closed')));

  // The backlog by age: the township's open cases of the period, the summary's open figure
  // summed over its bands, all received today; a table without files (no route exports it).
  const open = Number(env.T_RECEIVED) - Number(env.T_CLOSED);
  const apiBacklog = await s.evaluate(async (unit) => {
    const token = JSON.parse(localStorage.getItem('griddispatch.dashboard.session')).token;
    const from = document.querySelector('input[name=from]')?.value, to = document.querySelector('input[name=to]')?.value;
    const q = new URLSearchParams({ unit });
    if (from && to) q.set('from', from), q.set('to', to);
    const sum = await (await fetch('/api/stats/summary?' + q, { headers: { Authorization: 'Bearer ' + token } })).json();
    return { open: sum.open, banded: sum.backlog.reduce((n, b) => n + b.open, 0), bands: sum.backlog.length };
  }, env.TOWNSHIP);
  const backlog = await backlogCard(s);
  const rowSum = backlog.rows.reduce((n, r) => n + Number(r.open), 0);
  check(apiBacklog.open === open && apiBacklog.banded === open, 'the summary\'s backlog: ' + JSON.stringify(apiBacklog));
  check(backlog.total === String(open) && rowSum === open && await kpiValue(s, 'open') === String(open),
    'the backlog card holds the open cases: ' + JSON.stringify(backlog) + ' open tile ' + (await kpiValue(s, 'open')));
  check(backlog.rows.length === apiBacklog.bands && backlog.rows[0].from === '0' && backlog.rows[0].open === String(open) &&
    backlog.rows[0].text.includes('不足 1 天') && backlog.rows.at(-1).text.includes('天及以上'),
    'the bands, today\'s first: ' + JSON.stringify(backlog.rows));
  check(backlog.shown.includes(String(open)) && JSON.stringify(backlog.bars) === JSON.stringify(backlog.rows.map((r) => Number(r.open))),
    'the total and the bars: ' + JSON.stringify(backlog));
  check(backlog.buttons === 0, 'no files for the backlog');

  // Both villages are drawn and coloured by their closure rates, differently.
  const rendered = Number(await s.$eval('.map-chart', (e) => e.dataset.rendered));
  check(rendered >= 2, 'areas drawn: ' + rendered);
  const areas = await mapData(s);
  const va = areas.find((a) => a.code === env.VILLAGE), vb = areas.find((a) => a.code === env.OTHER_VILLAGE);
  check(va && vb && Math.abs(va.value - (100 * Number(env.V_CLOSED)) / Number(env.V_RECEIVED)) < 0.1 && vb.value === 0,
    'map values: ' + JSON.stringify(areas));
  // 66.7 % and 0 % are both below the lowest band (85 %): the same colour, that band's
  const lowest = await s.$eval('.map-chart', (el) => el.chart.getOption().visualMap[0].pieces[0].color);
  check(va.fill && va.fill === lowest && vb.fill === lowest, 'the villages are coloured by band: ' + JSON.stringify(areas) + ' ' + lowest);

  // The ranking: worst first puts the village with nothing closed on top.
  await s.selectOption('[data-table=units] select[name=sort]', 'worst');
  check(await s.$eval('[data-table=units] tbody tr[data-code]', (e) => e.dataset.code) === env.OTHER_VILLAGE, 'worst first');
  await s.selectOption('[data-table=units] select[name=sort]', 'best');
  check(await s.$eval('[data-table=units] tbody tr[data-code]', (e) => e.dataset.code) === env.VILLAGE, 'best first');

  // Export: the ranking as CSV, fetched with the token and saved by the browser.
  const [download] = await Promise.all([s.waitForEvent('download'), s.click('[data-table=units] button[data-export=csv]')]);
  const csv = readFileSync(await download.path(), 'utf8');
  check(csv.includes('东阜村') && csv.includes('槐树凹村'), 'the CSV has the villages: ' + csv.slice(0, 200));
  const dated = (route, ext) => new RegExp(`^${route}-${env.TOWNSHIP}-\\d{4}-\\d\\d-\\d\\d-\\d{4}-\\d\\d-\\d\\d\\.${ext}$`);
  check(dated('units', 'csv').test(download.suggestedFilename()), 'named by the server: ' + download.suggestedFilename());
  const [xlsx] = await Promise.all([s.waitForEvent('download'), s.click('[data-table=categories] button[data-export=xlsx]')]);
  check(readFileSync(await xlsx.path()).subarray(0, 2).toString() === 'PK' && dated('categories', 'xlsx').test(xlsx.suggestedFilename()),
    'the categories as an Excel file (a zip): ' + xlsx.suggestedFilename());
  check((await s.$$('[data-table=tiers] tbody tr')).length === 4, 'four tiers');
  check(await s.$eval('[data-table=categories] tbody tr', (e) => e.textContent.includes('邻里')), 'the category by name');
  say({ step: 'scoped', areas: rendered, files: [download.suggestedFilename(), xlsx.suggestedFilename()], backlog: backlog.total });

  // A click on the other village's area in the canvas drills into it; the breadcrumb goes back.
  const box = await s.$eval('.map-chart', (el) => {
    el.scrollIntoView({ block: 'center' });
    const r = el.getBoundingClientRect();
    const [x, y] = el.chart.convertToPixel({ seriesIndex: 0 }, [111.05, 35.15]);
    return { x: r.left + x, y: r.top + y };
  });
  await s.mouse.click(box.x, box.y);
  await s.waitForSelector(map(env.OTHER_VILLAGE));
  check(JSON.stringify(await crumbs(s)) === JSON.stringify([env.TOWNSHIP, env.OTHER_VILLAGE]), 'breadcrumb after the map click');
  await s.waitForFunction((k) => document.querySelector(k)?.dataset.value === '0', kpi('closed'));
  await s.click(`.crumbs button[data-code="${env.TOWNSHIP}"]`);
  await s.waitForSelector(map(env.TOWNSHIP));
  check(JSON.stringify(await crumbs(s)) === JSON.stringify([env.TOWNSHIP]), 'never above the township, back at it');

  // A ranking row drills into the village: its own figures and its grids.
  await s.click(`[data-table=units] tr[data-code="${env.VILLAGE}"]`);
  await s.waitForSelector(map(env.VILLAGE));
  await s.waitForSelector(`.board[data-loaded=true][data-unit="${env.VILLAGE}"]`);
  check(await kpiValue(s, 'received') === env.V_RECEIVED, 'village received: ' + (await kpiValue(s, 'received')));
  check(await kpiValue(s, 'closed') === env.V_CLOSED, 'village closed: ' + (await kpiValue(s, 'closed')));
  check(Number(await s.$eval('.map-chart', (e) => e.dataset.rendered)) >= 1, 'the village\'s grids are drawn');
  await s.waitForSelector('.conn[data-conn=online]');

  // The Go test closes the village's open case: the tile follows, without a reload.
  await s.evaluate(() => { window.__sameDocument = true; });
  const want = String(Number(env.V_CLOSED) + 1);
  say({ step: 'drilled' });
  const t0 = Date.now();
  await s.waitForFunction(([k, v]) => document.querySelector(k)?.dataset.value === v, [kpi('closed'), want], { timeout: 10_000 });
  const liveMs = Date.now() - t0;
  check(await s.evaluate(() => window.__sameDocument === true), 'no reload');
  check(await kpiValue(s, 'closure_rate') === '1', 'closure rate 1: ' + (await kpiValue(s, 'closure_rate')));
  check(liveMs < 5000, 'the change arrived in ' + liveMs + ' ms');
  say({ step: 'live', live_ms: liveMs });

  // Back up: the township's figures include it too.
  await s.click(`.crumbs button[data-code="${env.TOWNSHIP}"]`);
  await s.waitForSelector(map(env.TOWNSHIP));
  await s.waitForFunction(([k, v]) => document.querySelector(k)?.dataset.value === v,
    [kpi('closed'), String(Number(env.T_CLOSED) + 1)]);
  // and the backlog has one open case fewer
  await s.waitForFunction((v) => document.querySelector('[data-table=backlog]')?.dataset.total === v, String(open - 1));
  check(await kpiValue(s, 'open') === String(open - 1), 'open after the close: ' + (await kpiValue(s, 'open')));

  // The weekly bulletin: last week had nothing, like the week before it; this week ranks the
  // villages and compares with last week; the week after compares with this one. Printing
  // hides the controls.
  await s.click('[data-test=bulletin]');
  await s.waitForSelector('.bulletin[data-loaded=true]');
  check(await s.$eval('.bulletin [data-table=best] tbody', (e) => e.querySelectorAll('tr[data-code]').length) === 0, 'last week is empty');
  const flat = await changeOf(s, 'received');
  check(flat.delta === '0' && flat.trend === 'same' && flat.text === '与上周持平', 'nothing either week: ' + JSON.stringify(flat));
  await s.click('[data-test=next-week]');
  await s.waitForFunction(() => {
    const el = document.querySelector('.bulletin[data-loaded=true]');
    return el && el.querySelectorAll('[data-table=best] tbody tr[data-code]').length > 0;
  });
  const best = await s.$$eval('.bulletin [data-table=best] tbody tr', (els) => els.map((e) => e.dataset.code));
  const worst = await s.$$eval('.bulletin [data-table=worst] tbody tr', (els) => els.map((e) => e.dataset.code));
  check(best[0] === env.VILLAGE && worst[0] === env.OTHER_VILLAGE, 'bulletin ranking: ' + best + ' / ' + worst);
  check((await s.$eval('.bulletin [data-kpi=received] dd', (e) => e.textContent)) === env.T_RECEIVED, 'bulletin headline');
  // Against last week, which had no cases: every case is new, and no rate can be compared.
  const week = await s.$eval('.bulletin', (e) => ({ from: e.dataset.from, to: e.dataset.to }));
  const shift = (d, n) => new Date(Date.parse(d + 'T00:00:00Z') + n * 86400_000).toISOString().slice(0, 10);
  const changes = { received: await changeOf(s, 'received'), closure_rate: await changeOf(s, 'closure_rate'),
    overdue: await changeOf(s, 'overdue') };
  check(changes.received.delta === env.T_RECEIVED && changes.received.trend === 'up' && changes.received.text === '↑' + env.T_RECEIVED,
    'received against last week: ' + JSON.stringify(changes.received));
  check(changes.closure_rate.delta === '' && changes.closure_rate.trend === 'none' && changes.closure_rate.text === '上周无可比数据',
    'no closure rate last week: ' + JSON.stringify(changes.closure_rate));
  check(changes.overdue.delta === env.T_OVERDUE && changes.overdue.cls.includes('worse'), 'more overdue is worse: ' + JSON.stringify(changes.overdue));
  const note = await s.textContent('.bulletin .compare-note');
  check(note.includes(shift(week.from, -7)) && note.includes(shift(week.to, -7)), 'the week compared with: ' + note);
  // The units with the most overdue cases: the other village, with its one.
  const overdue = await s.$$eval('.bulletin [data-table=overdue] tbody tr[data-code]', (els) =>
    els.map((e) => ({ code: e.dataset.code, overdue: e.children[1].textContent })));
  check(JSON.stringify(overdue) === JSON.stringify([{ code: env.OTHER_VILLAGE, overdue: env.T_OVERDUE }]), 'most overdue: ' + JSON.stringify(overdue));
  await s.emulateMedia({ media: 'print' });
  check(!(await s.isVisible('[data-test=print]')) && !(await s.isVisible('header.bar')) && await s.isVisible('.bulletin-head h2'),
    'print shows the bulletin without controls');
  check(await s.isVisible('.bulletin [data-kpi=received] dd.change') && await s.isVisible('.bulletin [data-table=overdue]'),
    'the comparison and the overdue list print');
  await s.emulateMedia({ media: 'screen' });
  // The week after (nothing yet) against this one: the cases are gone.
  await s.click('[data-test=next-week]');
  await s.waitForFunction((from) => {
    const el = document.querySelector('.bulletin[data-loaded=true]');
    return el && el.dataset.from === from;
  }, shift(week.from, 7));
  const after = await changeOf(s, 'received');
  check(after.delta === '-' + env.T_RECEIVED && after.trend === 'down' && after.text === '↓' + env.T_RECEIVED,
    'the week after against this one: ' + JSON.stringify(after));
  check((await s.$$('.bulletin [data-table=overdue] tbody tr[data-code]')).length === 0 &&
    (await s.textContent('.bulletin [data-table=overdue] tbody')).includes('无逾期'), 'nothing overdue the week after');
  await s.click('[data-test=back]');
  await s.waitForSelector('.dash:not([hidden]) .kpis');
  say({ step: 'bulletin', best, worst, changes: Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.text])) });

  // A phone-sized screen, in English: everything fits the width (tables scroll in their cards).
  const n = await b.page('N', { width: 360, height: 740 });
  await signIn(n, '?lang=en');
  await n.waitForSelector(map(env.TOWNSHIP));
  check((await n.textContent('header.bar h1')) === 'Supervision dashboard', 'English title');
  check((await n.textContent(`${kpi('closure_rate')} .label`)) === 'Closure rate', 'English KPI');
  await n.waitForSelector('.board[data-loaded=true]');
  const narrowBacklog = await backlogCard(n);
  check((await n.textContent('[data-table=backlog] h3')) === 'Open cases by age' && narrowBacklog.rows[0].text.includes('under 1 day') &&
    narrowBacklog.total === String(open - 1) && await n.isVisible('[data-table=backlog] .small-chart'),
    'the backlog in English: ' + JSON.stringify(narrowBacklog));
  const box360 = await n.$eval('[data-table=backlog]', (e) => e.getBoundingClientRect().right);
  check(box360 <= 360, 'the backlog card fits: ' + box360);
  const width = await n.evaluate(() => document.scrollingElement.scrollWidth);
  check(width <= 360, 'no sideways scrolling at 360 px: ' + width);
  // The bulletin of this week at 360 px, in English: the changes as points and signs.
  await n.click('[data-test=bulletin]');
  await n.waitForSelector('.bulletin[data-loaded=true]');
  await n.click('[data-test=next-week]');
  await n.waitForFunction(() => document.querySelector('.bulletin[data-loaded=true]')?.querySelectorAll('[data-table=best] tbody tr[data-code]').length > 0);
  const en = await changeOf(n, 'received');
  check(en.text === '+' + env.T_RECEIVED && (await n.textContent('.bulletin [data-table=overdue] h3')) === 'Most overdue',
    'the bulletin in English: ' + JSON.stringify(en));
  const bulletinWidth = await n.evaluate(() => document.scrollingElement.scrollWidth);
  check(bulletinWidth <= 360, 'the bulletin fits 360 px: ' + bulletinWidth);
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  say({ step: 'narrow', width, bulletin_width: bulletinWidth });
} catch (e) {
  await b.screenshots(env.SCREENSHOT ?? '/tmp/dashboard_live_failure.png');
  throw e;
} finally {
  await b.close();
}
