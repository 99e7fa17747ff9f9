// Issue 7's hostile text in the console and the dashboard: a description, notes, parties, a
// member's name, a category's names and a village's name full of markup, SQL and tricky Unicode
// are shown as text, exactly, with nothing injected: no element or attribute from the text, no
// script run (window.__xss stays unset, no dialog), and no violation of the page's CSP (which
// would mean something tried and was blocked). Run by web/escaping_app_test.go.
// Env: BASE_URL, PASSWORD, PHONE_M, PHONE_S, CASE_ID, DESCRIPTION, REASON, PARTIES, MEMBER_NAME,
// UNIT_NAME (the village's), PLACE_NAME (the micro-grid's), VILLAGE, TOWNSHIP, CATEGORY_ZH.
import { check, consoleBrowser } from './browser.mjs';

const env = process.env;
const say = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const caseView = `.case-view[data-case-id="${env.CASE_ID}"]`;
const row = `.queue li.case-row[data-case-id="${env.CASE_ID}"]`;

// trap records what an injection would do: a script setting window.__xss, a dialog, a CSP
// violation (an inline script or event handler the policy refused to run).
async function trapped(page) {
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
    window.alert = () => { window.__xss = 'alert'; };
  });
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss(); });
  return page;
}
const dialogs = [];

// injected lists what in the page came from the text as markup.
async function injected(page) {
  return page.evaluate(() => {
    const found = [];
    for (const el of document.querySelectorAll('img, svg, script:not([src]), b, i, [onerror], [onload]')) {
      if (el.getAttribute('src') === 'x' || el.hasAttribute('onerror') || el.hasAttribute('onload') ||
        (el.tagName === 'SCRIPT' && el.textContent.includes('__xss')) || ['粗', '斜'].includes(el.textContent)) {
        found.push(el.outerHTML.slice(0, 120));
      }
    }
    return { found, xss: window.__xss ?? null, violations: window.__violations };
  });
}

async function clean(page, where) {
  const r = await injected(page);
  check(r.found.length === 0, `${where}: elements from the text: ${r.found.join(' | ')}`);
  check(r.xss === null && dialogs.length === 0, `${where}: a script ran: ${r.xss} ${dialogs}`);
  check(r.violations.length === 0, `${where}: the CSP blocked something: ${r.violations.join('; ')}`);
}

const b = await consoleBrowser();
try {
  // The mediator's console: the queue's row, then the case page.
  const m = await trapped(await b.page('M'));
  await m.goto(env.BASE_URL + '/console/');
  await m.fill('input[name=phone]', env.PHONE_M);
  await m.fill('input[name=password]', env.PASSWORD);
  await m.click('form.signin button[type=submit]');
  await m.waitForSelector(row);
  const rowText = await m.textContent(row);
  const summary = Array.from(env.DESCRIPTION).slice(0, 40).join('');
  for (const [what, text] of [['the summary', summary], ['the category', env.CATEGORY_ZH], ['the place', env.PLACE_NAME]]) {
    check(rowText.includes(text), `the row shows ${what} as text: ${JSON.stringify(rowText)}`);
  }
  await clean(m, 'the queue');

  await m.click(row);
  await m.waitForSelector(`${caseView} .timeline li[data-transition=mediate]`);
  const desc = await m.textContent(`${caseView} .description`);
  check(desc === env.DESCRIPTION, `the description verbatim: ${JSON.stringify(desc)}`);
  check((await m.$(`${caseView} .description *`)) === null, 'the description has no elements inside');
  const facts = await m.textContent(`${caseView} .facts`);
  check(facts.includes(env.MEMBER_NAME), `the reporter's name as text: ${JSON.stringify(facts)}`);
  const entry = await m.textContent(`${caseView} .timeline li[data-transition=mediate]`);
  check(entry.includes(env.REASON) && entry.includes(env.PARTIES), `the notes and parties verbatim: ${JSON.stringify(entry)}`);
  const page = await m.textContent(caseView);
  check(page.includes(env.PLACE_NAME) && page.includes(env.CATEGORY_ZH), 'the place and the category on the case page');
  await clean(m, 'the case page');
  say({ step: 'console' });

  // The township supervisor's dashboard: the category breakdown (table and chart tooltip), the
  // ranking of villages, the breadcrumb after drilling into the village.
  const s = await trapped(await b.page('S'));
  await s.goto(env.BASE_URL + '/dashboard/');
  await s.fill('input[name=phone]', env.PHONE_S);
  await s.fill('input[name=password]', env.PASSWORD);
  await s.click('form.signin button[type=submit]');
  await s.waitForSelector(`.board[data-loaded=true][data-unit="${env.TOWNSHIP}"]`);
  await s.waitForFunction((name) => document.querySelector('[data-table=categories] tbody')?.textContent.includes(name), env.CATEGORY_ZH);
  const ranking = await s.textContent('[data-table=units] tbody');
  check(ranking.includes(env.UNIT_NAME), `the ranking names the village as text: ${JSON.stringify(ranking)}`);
  await clean(s, 'the dashboard');

  // Hover the category chart's first band (the hostile category, the only one with a case): its
  // tooltip, which ECharts builds as HTML, shows the name as text.
  const chart = '[data-table=categories] .small-chart';
  await s.$eval(chart, (el) => el.scrollIntoView({ block: 'center' }));
  const box = await s.$eval(chart, (el) => { const r = el.getBoundingClientRect(); return { x: r.left + r.width / 2, y: r.top + 44 }; });
  await s.mouse.move(box.x, box.y);
  await s.waitForFunction(([sel, name]) => [...document.querySelectorAll(sel + ' div')].some((d) =>
    d.offsetParent !== null && d.textContent.includes(name)), [chart, env.CATEGORY_ZH]);
  await clean(s, 'the chart tooltip');

  await s.click(`[data-table=units] tr[data-code="${env.VILLAGE}"]`);
  await s.waitForSelector(`.board[data-loaded=true][data-unit="${env.VILLAGE}"]`);
  const crumbs = await s.textContent('.crumbs');
  check(crumbs.includes(env.UNIT_NAME), `the breadcrumb names the village as text: ${JSON.stringify(crumbs)}`);
  await clean(s, 'the village');
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  say({ step: 'dashboard' });
} catch (e) {
  await b.screenshots(env.SCREENSHOT ?? '/tmp/escaping_failure.png');
  throw e;
} finally {
  await b.close();
}
