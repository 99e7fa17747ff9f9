// What a county leader reads on the dashboard (issue 15, points 8, 9, 10, 12 and the bundle
// split), in real Chromium against web/dashboard_ux_app_test.go's county: the sign-in form shows
// while the ECharts chunk is held back; the last 30 days by default, every week of them on the
// trend's x-axis, this week marked as unfinished; the map coloured by the server's bands, with a
// legend and names that do not overlap; 积案 apart from 在办; a village under the ranking
// minimum listed apart, unranked; 调解成功率 "—" for a road repair; the unit code of the CSV
// kept as text; screenshots at 1366 and 360 px into SHOTS.
// Env: BASE_URL, PASSWORD, PHONE_S, TOWNSHIP, VILLAGE, OTHER_VILLAGE, BANDS (JSON), MIN_CASES,
// TODAY (YYYY-MM-DD, Asia/Shanghai), SHOTS.
import { readFileSync } from 'node:fs';
import { check, consoleBrowser } from './browser.mjs';

const env = process.env;
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const bands = JSON.parse(env.BANDS);
const minCases = Number(env.MIN_CASES);
const kpi = (page, key) => page.$eval(`.kpi[data-kpi=${key}]`, (e) => ({ value: e.dataset.value, label: e.querySelector('.label').textContent }));

function addDays(day, n) {
  const d = new Date(day + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

// weeks lists the Mondays of the weeks that meet [from, to].
function weeks(from, to) {
  const dow = (new Date(from + 'T00:00:00Z').getUTCDay() + 6) % 7;
  const out = [];
  for (let m = addDays(from, -dow); m <= to; m = addDays(m, 7)) out.push(m);
  return out;
}

async function signIn(page, query = '') {
  await page.goto(env.BASE_URL + '/dashboard/' + query);
  await page.fill('input[name=phone]', env.PHONE_S);
  await page.fill('input[name=password]', env.PASSWORD);
  await page.click('form.signin button[type=submit]');
}

const b = await consoleBrowser();
try {
  const s = await b.page('S', { width: 1366, height: 900 });

  // 13. The sign-in form does not wait for ECharts: with the charts chunk held back, the form
  // is there and usable; the chunk is asked for only after signing in.
  let release;
  const held = new Promise((r) => (release = r));
  let chartsAsked = 0, asked;
  const askedFor = new Promise((r) => (asked = r));
  await s.route(/\/assets\/charts-[^/]*\.js$/, async (route) => {
    chartsAsked++;
    asked();
    await held;
    await route.continue();
  });
  await s.goto(env.BASE_URL + '/dashboard/');
  await s.waitForSelector('form.signin input[name=phone]', { state: 'visible', timeout: 5000 });
  check(chartsAsked === 0, 'the charts chunk is not asked for before signing in: ' + chartsAsked);
  await s.fill('input[name=phone]', env.PHONE_S);
  await s.fill('input[name=password]', env.PASSWORD);
  await Promise.all([askedFor, s.click('form.signin button[type=submit]')]);
  check(chartsAsked === 1, 'the charts chunk is asked for after signing in: ' + chartsAsked);
  check(await s.isVisible('text=加载中…'), 'loading while the charts come');
  const html = await (await fetch(env.BASE_URL + '/dashboard/')).text();
  check(!/modulepreload[^>]*charts-/.test(html) && !/src="[^"]*charts-/.test(html), 'index.html does not preload the charts chunk: ' + html);
  release();
  await s.waitForSelector(`.map-chart[data-unit="${env.TOWNSHIP}"][data-rendered]`);
  await s.waitForSelector('.board[data-loaded=true]');
  await s.unroute(/\/assets\/charts-[^/]*\.js$/);
  // the admin app's sign-in form does not wait for the charts either
  const admin = await b.page('A');
  let adminCharts = 0, releaseAdmin;
  const adminHeld = new Promise((r) => (releaseAdmin = r));
  await admin.route(/\/assets\/charts-[^/]*\.js$/, async (route) => {
    adminCharts++;
    await adminHeld;
    await route.continue();
  });
  await admin.goto(env.BASE_URL + '/admin/');
  await admin.waitForSelector('form.signin input[name=phone]', { state: 'visible', timeout: 5000 });
  const adminHTML = await (await fetch(env.BASE_URL + '/admin/')).text();
  check(adminCharts === 0 && !/charts-/.test(adminHTML), 'the admin app\'s sign-in without the charts: ' + adminCharts + ' ' + adminHTML);
  releaseAdmin();
  await admin.close();
  say({ step: 'split', charts_requests: chartsAsked });

  // 8. The default period: the last 30 days (not a nearly empty "this month"), every week of
  // them on the x-axis, the empty ones too; this week is "本周至今", its bars faint and its
  // rate dashed.
  const from30 = addDays(env.TODAY, -29);
  check(await s.$eval('select[name=period]', (e) => e.value) === 'days30', 'the default period is the last 30 days');
  check((await kpi(s, 'received')).value === '4', 'the last 30 days received 4 cases: ' + JSON.stringify(await kpi(s, 'received')));
  // the trend's option, from the chart behind the canvas (charts.ts keeps it on its element)
  const trend = await s.$eval('.trend-chart', (el) => {
    const o = el.chart.getOption();
    return { labels: o.xAxis[0].data, series: o.series.map((x) => ({ name: x.name, type: x.type, data: x.data, lineStyle: x.lineStyle })) };
  });
  const mondays = weeks(from30, env.TODAY);
  check(trend.labels.length === mondays.length, 'every week of the 30 days on the x-axis: ' + JSON.stringify(trend.labels) + ' want ' + mondays);
  check(trend.labels.at(-1) === '本周至今', 'this week is marked as to date: ' + trend.labels.at(-1));
  const received = trend.series[0].data.map((d) => d.value);
  check(received.filter((v) => v === 0).length === mondays.length - 1 && received.at(-1) === 4,
    'the empty weeks are points of 0: ' + JSON.stringify(received));
  check(trend.series[0].data.at(-1).itemStyle.opacity < 1 && trend.series[0].data.at(-2).itemStyle.opacity === undefined,
    'this week\'s bar is faint, last week\'s is not: ' + JSON.stringify(trend.series[0].data.slice(-2)));
  check(trend.series[3].lineStyle.type === 'dashed' && trend.series[3].data.at(-1) === 75 && trend.series[2].data.at(-1) === null,
    'this week\'s rate is on the dashed line only: ' + JSON.stringify(trend.series.slice(2)));
  const rows = await s.$$eval('[data-table=trend] tbody tr', (els) => els.map((e) => e.textContent));
  check(rows.length === mondays.length && rows.at(-1).includes('本周至今'), 'the trend\'s table: ' + JSON.stringify(rows));
  say({ step: 'period', labels: trend.labels, received });

  // 9. The map: the server's bands as the visual map's pieces, a legend that says them, grey
  // for no cases, names that hide rather than overlap.
  const map = await s.$eval('.map-chart', (el) => {
    const o = el.chart.getOption();
    const data = o.series[0].data;
    return {
      pieces: o.visualMap[0].pieces, type: o.visualMap[0].type, hide: o.series[0].labelLayout?.hideOverlap,
      fills: Object.fromEntries(data.map((d, i) => [d.name, el.chart.getVisual({ seriesIndex: 0, dataIndex: i }, 'color')])),
      legend: [...el.closest('.card').querySelectorAll('.map-legend li')].map((li) => li.textContent),
    };
  });
  const edges = map.pieces.filter((p) => p.value === undefined).map((p) => [p.gte, p.lt ?? p.lte]);
  check(map.type === 'piecewise' && JSON.stringify(edges) === JSON.stringify([[0, bands[0]], ...bands.map((b, i) => [b, bands[i + 1] ?? 100])]),
    'the pieces are the server\'s bands: ' + JSON.stringify(map.pieces));
  check(map.hide === true, 'labels hide rather than overlap');
  check(map.fills[env.VILLAGE] === map.pieces.at(-2).color && map.fills[env.OTHER_VILLAGE] === map.pieces[0].color &&
    map.fills[env.VILLAGE] !== map.fills[env.OTHER_VILLAGE], '100 % in the top band, 0 % in the lowest: ' + JSON.stringify(map));
  check(JSON.stringify(map.legend) === JSON.stringify([`${bands.at(-1)}% 及以上`, ...bands.slice(0, -1).map((x, i) => `${x}–${bands[i + 1]}%`).reverse(),
    `低于 ${bands[0]}%`, '无案件']), 'the legend: ' + JSON.stringify(map.legend));
  say({ step: 'map', legend: map.legend });

  // 10. Words: 在办 and 积案 (60 days: two open, one of them received 40 days ago); the ranking
  // minimum; 调解成功率 "—" for a road repair.
  const unranked = await s.$$eval('[data-table=units] tbody tr', (els) => els.map((e) => ({
    code: e.dataset.code, group: e.dataset.group, ranked: e.dataset.ranked, text: e.textContent, rank: e.querySelector('td')?.textContent })));
  const va = unranked.find((r) => r.code === env.VILLAGE), vb = unranked.find((r) => r.code === env.OTHER_VILLAGE);
  const headIndex = unranked.findIndex((r) => r.code === undefined);
  check(va.ranked === 'true' && va.rank === '1' && vb.ranked === 'false' && vb.group === 'rest' && vb.rank === '—',
    'the village under the minimum is not ranked: ' + JSON.stringify(unranked));
  check(headIndex > unranked.indexOf(va) && headIndex < unranked.indexOf(vb) && unranked[headIndex].text === `案件数不足 ${minCases} 件，不参与排名`,
    'it is listed apart, under a row that says why: ' + JSON.stringify(unranked));
  await s.selectOption('[data-table=units] select[name=sort]', 'worst');
  check(await s.$eval('[data-table=units] tbody tr[data-code]', (e) => e.dataset.code) === env.VILLAGE, 'worst first ranks the ranked only');
  const cats = await s.$$eval('[data-table=categories] tbody tr[data-code]', (els) =>
    Object.fromEntries(els.map((e) => [e.dataset.code, e.querySelectorAll('td')[5].textContent])));
  check(cats.road === '—' && cats.neighbour === '100.0%', '调解成功率 by category: ' + JSON.stringify(cats));
  await s.selectOption('select[name=period]', 'custom');
  await s.fill('input[name=from]', addDays(env.TODAY, -59));
  await s.dispatchEvent('input[name=from]', 'change');
  await s.waitForFunction(() => document.querySelector('.kpi[data-kpi=received]')?.dataset.value === '5');
  const aged = await kpi(s, 'aged'), open = await kpi(s, 'open');
  check(aged.label === '积案' && aged.value === '1' && open.label === '在办' && open.value === '2', '积案 and 在办: ' + JSON.stringify([aged, open]));
  check(await s.$eval('[data-table=backlog] h3', (e) => e.textContent) === '在办账龄', 'the open cases by age are 在办');
  say({ step: 'words', aged, open, cats });

  // 12. The ranking's CSV: the unit code is a text cell.
  const [download] = await Promise.all([s.waitForEvent('download'), s.click('[data-table=units] button[data-export=csv]')]);
  const csv = readFileSync(await download.path(), 'utf8');
  check(csv.includes(`"=""${env.VILLAGE}"""`), 'the code cell is ="…": ' + csv.slice(0, 300));
  say({ step: 'csv', line: csv.split('\n')[1] });

  await s.selectOption('select[name=period]', 'days30');
  await s.waitForFunction(() => document.querySelector('.kpi[data-kpi=received]')?.dataset.value === '4');
  await s.waitForTimeout(600); // the charts' animations
  await s.screenshot({ path: env.SHOTS + '/dashboard-1366.png', fullPage: true });
  await s.locator('.map-card').screenshot({ path: env.SHOTS + '/map-1366.png' });
  await s.locator('[data-table=trend]').screenshot({ path: env.SHOTS + '/trend-1366.png' });

  // 360 px, Chinese and English: nothing wider than the screen, the legend wraps.
  for (const [name, query] of [['zh', ''], ['en', '?lang=en']]) {
    const n = await b.page('N' + name, { width: 360, height: 740 });
    await signIn(n, query);
    await n.waitForSelector(`.map-chart[data-unit="${env.TOWNSHIP}"][data-rendered]`);
    await n.waitForSelector('.board[data-loaded=true]');
    await n.waitForTimeout(600);
    const width = await n.evaluate(() => document.scrollingElement.scrollWidth);
    const legend = await n.$eval('.map-legend', (e) => e.getBoundingClientRect().right);
    check(width <= 360 && legend <= 360, `${name} at 360 px: page ${width}, legend ${legend}`);
    await n.screenshot({ path: `${env.SHOTS}/dashboard-360-${name}.png`, fullPage: true });
    await n.$eval('.map-card', (e) => e.scrollIntoView());
    await n.screenshot({ path: `${env.SHOTS}/dashboard-360-${name}-map.png` });
  }
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  say({ step: 'narrow' });
} catch (e) {
  await b.screenshots(env.SCREENSHOT ?? '/tmp/dashboard_ux_failure.png');
  throw e;
} finally {
  await b.close();
}
