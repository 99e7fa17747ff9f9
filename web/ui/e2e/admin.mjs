// Issue 14's "done when" for the admin app (web/admin_app_test.go runs it and checks PostgreSQL
// after): a county administrator signs in with a one-time code, chooses a password, then works
// the grid (an import drawn in GCJ-02 with every kind of problem, a GBK Shapefile, a split of a
// grid with cases), the roster (bad rows, then the fixed file) and deactivates a member.
// A second page at 360 px, with the same session, checks each page fits a phone.
// Then (f) drafts a rename effective in three days, schedules it (the Go test checks PostgreSQL
// before the script goes on) and unschedules it, and merges the split's two grids into one drawn
// in GCJ-02. Prints one JSON line per step. Env: BASE_URL, PHONE, CODE, PASSWORD, FILES (the Go test's
// files), HOSTILE (a unit name with markup), SHAPEFILE, LEAVER (the member to deactivate);
// optional SHOTS (screenshots).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { check, consoleBrowser, env } from './browser.mjs';

const base = env('BASE_URL');
const files = env('FILES');
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const shots = process.env.SHOTS;
const shot = async (page, name) => {
  if (!shots) return;
  await page.evaluate(() => window.scrollTo(0, 0)); // the sticky bar stays on top of a full-page shot
  await page.screenshot({ path: `${shots}/admin-${name}.png`, fullPage: true });
};
// fits: nothing wider than the window, and every visible control (a checkbox by its label) at
// least 44 px tall, for fingers.
const fits = async (page, what) => {
  check(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${what} fits ${page.viewportSize().width} px`);
  const small = await page.evaluate(() => [...document.querySelectorAll('button, a, input, select, summary')]
    .map((e) => (e.type === 'checkbox' ? e.closest('label') ?? e : e))
    .filter((e) => e.getClientRects().length && e.getBoundingClientRect().height < 43.5)
    .map((e) => e.outerHTML.slice(0, 80)));
  check(small.length === 0, `${what}: controls under 44 px: ${small.join(' | ')}`);
};
// shotOf keeps one part of the page, taken from the top as shot does (else the sticky bar covers it).
const shotOf = async (page, sel, name) => {
  if (!shots) return;
  await page.evaluate(() => window.scrollTo(0, 0));
  const clip = await page.locator(sel).boundingBox();
  await page.screenshot({ path: `${shots}/admin-${name}.png`, fullPage: true, clip });
};
// opens the unit of this code in the tree's search.
const openUnit = async (page, code) => {
  await page.fill('input[name=unit-search]', code);
  await page.click(`.search-results .unit-name[data-code="${code}"]`);
  await page.waitForSelector(`.unit-detail[data-code="${code}"][data-loaded=true]`);
};
const drawn = (page, sel) => page.waitForSelector(`${sel} .map-chart[data-rendered]:not([data-rendered="0"])`);

const b = await consoleBrowser();
try {
  const desk = await b.page('desk', { width: 1366, height: 900 });

  // Sign in with the one-time code: the app asks for a password of one's own first.
  await desk.goto(base + '/admin/');
  await desk.fill('input[name=phone]', env('PHONE'));
  await desk.fill('input[name=password]', env('CODE'));
  await desk.click('form.signin button[type=submit]');
  await desk.waitForSelector('form.new-password');
  check((await desk.textContent('form.new-password')).includes('设置新密码'), 'the password form is in Chinese');
  check((await desk.inputValue('form.new-password input[name=current]')) === env('CODE'), 'the code is filled in');
  await desk.fill('form.new-password input[name=new]', env('PASSWORD'));
  await desk.fill('form.new-password input[name=repeat]', env('PASSWORD') + 'x');
  await desk.click('form.new-password button[type=submit]');
  await desk.waitForSelector('form.new-password .error:has-text("不一致")');
  await desk.fill('form.new-password input[name=repeat]', env('PASSWORD'));
  await desk.click('form.new-password button[type=submit]');
  await desk.waitForSelector('.tree[data-loaded=true]');
  await desk.waitForSelector('.unit-detail[data-code="140802"][data-loaded=true]');
  await drawn(desk, '.unit-detail');
  out({ step: 'password' });

  // The phone-sized page shares the session.
  const session = await desk.evaluate(() => localStorage.getItem('griddispatch.admin.session'));
  const phone = await b.page('phone', { width: 360, height: 740 });
  await phone.addInitScript((s) => localStorage.setItem('griddispatch.admin.session', s), session);
  await phone.goto(base + '/admin/#grid');
  await phone.waitForSelector('.unit-detail[data-loaded=true]');
  await drawn(phone, '.unit-detail');
  await fits(phone, 'the grid page');
  await shot(desk, 'grid-1366');
  await shot(phone, 'grid-360');

  // The tree opens a level at a time; search finds by name.
  await desk.click('.tree li[data-code="140802"] > .node .toggle');
  await desk.waitForSelector('.tree li[data-code="140802001"]');
  await desk.fill('input[name=unit-search]', '东阜村第2网格');
  await desk.click('.search-results .unit-name[data-code="140802001001002"]');
  await desk.waitForSelector('.unit-detail[data-code="140802001001002"][data-loaded=true]');

  // (a) The GCJ-02 file with every kind of problem: one report, one map.
  const upload = async (page, file, opts = {}) => {
    if (!opts.commit) { // importing is offered for what was just checked, as it was checked
      await page.setInputFiles('input[name=grid-file]', file);
      if (opts.crs) await page.selectOption('select[name=crs]', opts.crs);
      if (opts.encoding !== undefined) await page.selectOption('select[name=encoding]', opts.encoding);
      await page.setChecked('input[name=make_valid]', Boolean(opts.makeValid));
    }
    const answered = page.waitForResponse((r) => r.url().includes('/api/admin/grid/imports'));
    await page.click(opts.commit ? '[data-test=import-commit]' : '[data-test=import-check]');
    const res = await answered;
    await page.waitForSelector('.import-report, .upload .status:not(:empty)');
    check(await page.$('.import-report'), 'an import report, not: ' + (await page.textContent('.upload .status')));
    return res.status();
  };
  const kinds = async (page) => page.$$eval('.import-report table.problems tbody tr', (rows) => rows.map((r) => r.dataset.kind));
  // a file with unreadable features is refused even as a dry run (422), with the whole report
  check((await upload(desk, join(files, 'bad.geojson'), { crs: 'gcj02' })) === 422, 'the dry run answers');
  const found = await kinds(desk);
  for (const k of ['invalid_geometry', 'outside_parent', 'overlap', 'feature']) check(found.includes(k), `the report lists ${k}: ${found}`);
  const reportText = await desk.textContent('.import-report');
  for (const w of ['图形无效', '超出上级范围', '与同级重叠', '文件内容错误', '14080200100100200X', 'GCJ-02']) check(reportText.includes(w), `the report says ${w}`);
  check(reportText.includes(env('HOSTILE')), 'a name with markup is shown as text');
  check((await desk.$('.import-report img, .import-report b')) === null, 'markup in a name stays text');
  await drawn(desk, '.import-report');
  const classes = await desk.getAttribute('.import-report .map-chart', 'data-classes');
  for (const c of ['invalid_geometry', 'outside_parent', 'overlap']) check(classes.includes(c), `the map colours ${c}: ${classes}`);
  await shot(desk, 'grid-report-1366');
  // importing it anyway is refused, with the same report
  check((await upload(desk, join(files, 'bad.geojson'), { crs: 'gcj02', commit: true })) === 422, 'the bad file is refused');
  await desk.waitForSelector('.import-report[data-refused=true][data-committed=false]');
  // make_valid repairs the bow tie, and says how
  await upload(desk, join(files, 'bad.geojson'), { crs: 'gcj02', makeValid: true });
  await desk.waitForSelector('.import-report .repairs li[data-code="140802001001002001"]');
  out({ step: 'import_checked', problems: found.length });
  // the same report fits a phone
  await upload(phone, join(files, 'bad.geojson'), { crs: 'gcj02' });
  await drawn(phone, '.import-report');
  await fits(phone, 'the import report');
  await shot(phone, 'grid-report-360');
  // the corrected file: no problem, then imported
  await upload(desk, join(files, 'fixed.geojson'), { crs: 'gcj02' });
  await desk.waitForSelector('.import-report[data-problems="0"]');
  check(await desk.isEnabled('[data-test=import-commit]'), 'import is offered after a clean check');
  check((await upload(desk, join(files, 'fixed.geojson'), { crs: 'gcj02', commit: true })) === 200, 'imported');
  await desk.waitForSelector('.import-report[data-committed=true]');
  out({ step: 'imported' });

  // (b) The county as a GBK Shapefile in a zip: names read right.
  await upload(desk, env('SHAPEFILE'), { crs: 'wgs84', encoding: 'gbk' });
  const units = await desk.textContent('.import-report .unit-list');
  for (const w of ['盐湖区', '安邑街道', '东阜村第1网格第2微网格']) check(units.includes(w), `the Shapefile's names read: ${w}`);
  check(!units.includes('\ufffd'), 'no replacement characters');
  await drawn(desk, '.import-report');
  out({ step: 'shapefile', units: await desk.$$eval('.import-report .unit-list li', (l) => l.length) });

  // (c) Split 东阜村第1网格, which has open cases.
  await desk.fill('input[name=unit-search]', '140802001001001');
  await desk.click('.search-results .unit-name[data-code="140802001001001"]');
  await desk.waitForSelector('.unit-detail[data-code="140802001001001"][data-loaded=true]');
  await desk.click('details.new-split > summary');
  check((await desk.inputValue('input[name=split-code]')) === '140802001001001', 'the open unit is offered for the split');
  await desk.setInputFiles('input[name=split-file]', join(files, 'split.geojson'));
  await desk.click('[data-test=split-draft]');
  await desk.waitForSelector('.change-report[data-state=draft]');
  await drawn(desk, '.change-report');
  const changeClasses = await desk.getAttribute('.change-report .map-chart', 'data-classes');
  check(changeClasses.includes('retired') && changeClasses.includes('added'), 'the preview map shows retired and added units: ' + changeClasses);
  check((await desk.textContent('.change-report [data-fact=open-cases-kept]')).includes('2'), 'the two open cases are kept');
  await shot(desk, 'grid-change-1366');
  // the grid's worker would stay behind, flagged: sent to the east grid, the split drafted again
  const firstDraft = await desk.getAttribute('.change-report', 'data-change');
  await desk.fill('.change-moves input[name="move-140802001001001"]', '140802001001004');
  await desk.click('[data-test=moves-redraft]');
  await desk.waitForSelector(`.change-report[data-state=draft]:not([data-change="${firstDraft}"]) .moved-list li`);
  check((await desk.$('.change-moves')) === null, 'no one is left flagged');
  await desk.waitForSelector(`.changes tr[data-change="${firstDraft}"][data-state=discarded]`);
  const applied = desk.waitForResponse((r) => r.url().endsWith('/apply'));
  await desk.click('[data-test=change-apply]');
  check((await applied).status() === 200, 'applied');
  await desk.waitForSelector('.change-report[data-state=applied]');
  await desk.click('.change-report .retired-list li[data-code="140802001001001"] button');
  await desk.waitForSelector('.unit-detail[data-code="140802001001001"][data-retired=true][data-loaded=true]');
  const openCases = Number(await desk.getAttribute('.unit-detail', 'data-open-cases'));
  check((await desk.textContent('.unit-detail .facts')).includes('140802001001003'), 'the successors are named');
  await phone.reload();
  await phone.waitForSelector('.changes tr[data-state=applied]');
  await fits(phone, 'the change list');
  out({ step: 'split', open_cases: openCases });

  // (f) A rename from three days on: scheduled, checked in PostgreSQL by the Go test, unscheduled.
  const started = Date.now();
  await openUnit(desk, '140802001001002');
  await desk.click('details.new-rename > summary');
  check((await desk.inputValue('input[name=rename-code]')) === '140802001001002', 'the open unit is offered for the rename');
  await desk.fill('input[name=rename-name]', '东阜村东网格');
  const later = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() + 3 * 864e5));
  await desk.fill('input[name=rename-effective]', later);
  await desk.click('[data-test=rename-draft]');
  await desk.waitForSelector('.preview [data-test=change-schedule]');
  check((await desk.$('.preview [data-test=change-apply]')) === null, 'a change not yet due is scheduled, not applied');
  const renameID = await desk.getAttribute('.change-report', 'data-change');
  await desk.click('[data-test=change-schedule]');
  await desk.waitForSelector('.preview .schedule[data-scheduled=true]');
  await desk.waitForSelector(`.changes tr[data-change="${renameID}"] .state-scheduled:has-text("已排期 ${later}")`);
  out({ step: 'scheduled', id: Number(renameID) });
  await shotOf(desk, '.changes', 'change-scheduled-1366');
  await phone.reload();
  await phone.click(`.changes tr[data-change="${renameID}"] [data-test=preview]`);
  await phone.waitForSelector('.preview .schedule[data-scheduled=true]');
  check((await phone.textContent(`.changes tr[data-change="${renameID}"]`)).includes('已排期'), 'the list says 已排期');
  await fits(phone, 'a scheduled change');
  await shotOf(phone, '.changes', 'change-scheduled-360');
  const checked = join(files, 'scheduled-' + renameID);
  for (const until = Date.now() + 5000; !existsSync(checked);) {
    check(Date.now() < until, 'the Go test checked the schedule');
    await new Promise((r) => setTimeout(r, 20));
  }
  await desk.click('[data-test=change-unschedule]');
  await desk.waitForSelector('.preview .schedule[data-scheduled=false]');
  await desk.waitForSelector(`.changes tr[data-change="${renameID}"]:not(:has(.state-scheduled))`);
  out({ step: 'unscheduled', id: Number(renameID) });

  // The split's two grids merged into one, drawn on AMap (GCJ-02): the forms at both sizes first.
  await openUnit(desk, '140802001001003');
  await desk.click('details.new-merge > summary');
  await desk.waitForSelector('input[name=merge-unit][value="140802001001003"]:checked');
  await desk.check('input[name=merge-unit][value="140802001001004"]');
  await desk.setInputFiles('input[name=merge-file]', join(files, 'merge.geojson'));
  await desk.selectOption('select[name=merge-crs]', 'gcj02');
  for (const k of ['retire', 'redraw']) await desk.click(`details.new-${k} > summary`);
  await shotOf(desk, '.change-forms', 'change-forms-1366');
  await openUnit(phone, '140802001001003');
  for (const k of ['split', 'merge', 'rename', 'retire', 'redraw']) await phone.click(`details.new-${k} > summary`);
  await phone.waitForSelector('input[name=retire-successor][value="140802001001004"]');
  await fits(phone, 'the change forms');
  await shotOf(phone, '.change-forms', 'change-forms-360');
  await desk.click('[data-test=merge-draft]');
  await desk.waitForSelector(`.change-report[data-state=draft]:not([data-change="${renameID}"])`);
  await drawn(desk, '.change-report');
  const merged = desk.waitForResponse((r) => r.url().endsWith('/apply'));
  await desk.click('[data-test=change-apply]');
  const mergeStatus = (await merged).status();
  await desk.waitForSelector('.change-report:not([data-state=draft]), .preview .status:not(:empty)');
  check(mergeStatus === 200, 'the merge is applied, not: ' + (await desk.textContent('.preview')).slice(0, 800));
  await desk.waitForSelector('.change-report[data-state=applied] .retired-list li[data-code="140802001001004"]');
  out({ step: 'merged', ms: Date.now() - started });

  // (d) The roster: every bad row, then the fixed file imported, its codes shown once.
  await desk.click('nav.tabs a[data-page=members]');
  await desk.waitForSelector('.members[data-loaded=true]');
  // Adding a member: a grid worker at a township is refused, in words; a mediator there is added
  // and the one-time code shown.
  await desk.click('details.member-add > summary');
  await desk.fill('input[name=add-phone]', '13900000071');
  await desk.fill('input[name=add-name]', '周新人');
  await desk.fill('input[name=add-unit]', '140802001');
  await desk.selectOption('select[name=add-role]', 'grid_worker');
  await desk.click('[data-test=member-add]');
  await desk.waitForSelector('.member-add .error:has-text("角色填写有误")');
  await desk.selectOption('select[name=add-role]', 'mediator');
  await desk.click('[data-test=member-add]');
  await desk.waitForSelector('.member-add .code-box .one-time-code');
  check(/^[a-z2-9]{10}$/i.test(await desk.textContent('.member-add .one-time-code')), 'the one-time code is shown');
  out({ step: 'member_added' });

  const roster = async (file, commit = false) => {
    if (file) await desk.setInputFiles('input[name=roster-file]', file);
    const answered = desk.waitForResponse((r) => r.url().includes('/api/admin/roster'));
    await desk.click(commit ? '[data-test=roster-commit]' : '[data-test=roster-check]');
    const res = await answered;
    await desk.waitForSelector('.roster-report');
    return res.status();
  };
  await roster(join(files, 'bad.xlsx'));
  const rows = await desk.$$eval('.roster-problems tbody tr', (l) => l.map((r) => Number(r.dataset.row)));
  for (const r of [2, 3, 4, 5]) check(rows.includes(r), `bad row ${r} is listed: ${rows}`);
  const rosterText = await desk.textContent('.roster-report');
  for (const w of ['手机号格式错误', '角色无效', '单位代码不存在']) check(rosterText.includes(w), `the roster report says ${w}`);
  check(!(await desk.isEnabled('[data-test=roster-commit]')), 'a bad roster cannot be imported');
  await shot(desk, 'members-roster-1366');
  await roster(join(files, 'fixed.xlsx'));
  await desk.waitForSelector('.roster-report[data-problems="0"]');
  check((await roster(null, true)) === 200, 'the roster is imported');
  await desk.waitForSelector('.roster-report[data-committed=true] .codes-table');
  check((await desk.$$('.codes-table tbody tr')).length === 2, 'two new members, two codes');
  const download = desk.waitForEvent('download');
  await desk.click('[data-test=codes-csv]');
  check((await download).suggestedFilename() === 'one-time-codes.csv', 'the codes download as CSV');
  out({ step: 'roster' });

  // (e) Deactivate a member who is online.
  await desk.fill('input[name=member-q]', env('LEAVER'));
  await desk.click('[data-test=member-search]');
  const row = `.members li[data-phone="${env('LEAVER')}"]`;
  await desk.waitForSelector(row);
  await desk.click(`${row} [data-test=manage]`);
  await desk.click(`${row} [data-test=deactivate]`);
  check((await desk.textContent(`${row} .confirm`)).includes('立即退出登录'), 'the confirmation says what happens');
  const deactivated = desk.waitForResponse((r) => r.url().endsWith('/deactivate'));
  const clicked = Date.now();
  await desk.click(`${row} [data-test=confirm]`);
  check((await deactivated).status() === 204, 'deactivated');
  out({ step: 'deactivated', clicked_ms: clicked });
  // the list shows current members unless asked for the deactivated: the page says where it went
  await desk.waitForSelector('.members-page .notice:has-text("已停用")');
  await desk.check('input[name=member-inactive]');
  await desk.waitForSelector(`${row}[data-active=false]`);
  await shot(desk, 'members-1366');
  await phone.goto(base + '/admin/#members');
  await phone.waitForSelector('.members[data-loaded=true]');
  await phone.click('.members li.member [data-test=manage]');
  await fits(phone, 'the members page');
  await shot(phone, 'members-360');

  // Categories and the audit log, at both sizes.
  for (const p of [desk, phone]) {
    await p.click('nav.tabs a[data-page=categories]');
    await p.waitForSelector('.categories tbody[data-loaded=true] tr[data-code=neighbour]');
  }
  // neighbour disputes: 36 hours at the urgent tier instead of a day (the API takes seconds)
  const neighbour = '.categories tr[data-code=neighbour]';
  await desk.fill(`${neighbour} input[name=urgent_s]`, '36');
  await desk.selectOption(`${neighbour} select[name="urgent_s-unit"]`, '3600');
  const saved = desk.waitForResponse((r) => r.url().endsWith('/api/admin/categories/neighbour'));
  await desk.click(`${neighbour} [data-test=save]`);
  check((await saved).status() === 200, 'the category is saved');
  await desk.waitForSelector(`${neighbour} .row-note.notice:has-text("已保存")`);
  out({ step: 'category' });
  await fits(phone, 'the categories page');
  await shot(desk, 'categories-1366');
  await shot(phone, 'categories-360');
  for (const p of [desk, phone]) {
    await p.click('nav.tabs a[data-page=audit]');
    await p.waitForSelector('.audit tbody[data-loaded=true] tr[data-action="member.deactivate"]');
  }
  check((await desk.textContent('.audit tbody')).includes('停用人员'), 'actions are named in Chinese');
  const csv = desk.waitForEvent('download');
  await desk.click('[data-test=audit-csv]');
  check((await csv).suggestedFilename().endsWith('.csv'), 'the audit log downloads as CSV');
  await fits(phone, 'the audit page');
  await shot(desk, 'audit-1366');
  await shot(phone, 'audit-360');

  // English is a click away.
  await phone.click('[data-test=lang]');
  await phone.waitForSelector('nav.tabs a[data-page=members]:has-text("Members")');
  await phone.click('nav.tabs a[data-page=grid]');
  await phone.waitForSelector('.changes tr[data-state=draft]');
  for (const w of ['New merge', 'Rename', 'Retire a unit', 'Redraw boundaries']) {
    check((await phone.textContent('.change-forms')).includes(w), `the change forms speak English: ${w}`);
  }
  await shotOf(phone, '.changes', 'change-forms-en-360');
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  out({ step: 'done' });
} catch (e) {
  if (b.problems.length) console.error('page errors:', b.problems.join('\n'));
  if (process.env.SCREENSHOT) await b.screenshots(shots ? `${shots}/admin-failure.png` : process.env.SCREENSHOT);
  throw e;
} finally {
  await b.close();
}
