// 领导包案 handed over and given up in the console (docs/console.md "Risk grading"): the owning
// county leader A (1366 px) sees their name on the case and is offered 移交 and 放弃包案; the
// other leader B (360 px, English) is offered neither. A hands the case to B, picked from the
// county's leaders (A is not among them); the case then names B, and the history says 移交包案
// → 移交给 B. B's page, updated live, offers 放弃包案; B gives it up with a reason, the leader tag
// goes, and A may take it again (领导包案). Screenshots in SHOTS. Run by
// web/console_leader_app_test.go. Env: BASE_URL, PASSWORD, PHONE_A, PHONE_B, NAME_A, NAME_B, CASE_ID.
import { check, consoleBrowser, env, signIn } from './browser.mjs';

const base = env('BASE_URL');
const caseID = Number(env('CASE_ID'));
const view = `.case-view[data-case-id="${caseID}"]`;
const out = (o) => process.stdout.write(JSON.stringify(o) + '\n');
const shot = async (p, name) => process.env.SHOTS && p.screenshot({ path: `${process.env.SHOTS}/${name}.png`, fullPage: true });
const actions = (p) => p.$$eval(`${view} .actions button.act`, (els) => els.map((e) => e.dataset.action));

async function open(p, phone, lang) {
  await signIn(p, base + '/console/' + lang, phone, env('PASSWORD'));
  await p.waitForSelector('.picker button.choice[data-centre="140802"]');
  await p.click('.picker button.choice[data-centre="140802"]');
  await p.waitForSelector('.queue[data-loaded=true][data-centre="140802"]');
  await p.waitForSelector('.conn[data-conn=online]');
  await p.goto(base + '/console/' + lang + '#/case/' + caseID);
  await p.waitForSelector(`${view} .case-head .tag.led`);
}

const b = await consoleBrowser();
try {
  const a = await b.page('A', { width: 1366, height: 900 });
  const bb = await b.page('B', { width: 360, height: 740 });
  await open(a, env('PHONE_A'), '');
  await open(bb, env('PHONE_B'), '?lang=en');

  // The owner is shown and offered 移交 and 放弃包案; the other leader is offered neither.
  check((await a.textContent(`${view} .case-head .tag.led`)) === '领导包案：' + env('NAME_A'), 'the owner on the case');
  const mine = await actions(a);
  check(mine.includes('lead_handover') && mine.includes('lead_release'), 'the owner\'s actions: ' + mine);
  check((await a.textContent(`${view} .actions button[data-action=lead_handover]`)) === '移交', '移交 button');
  check((await a.textContent(`${view} .actions button[data-action=lead_release]`)) === '放弃包案', '放弃包案 button');
  const theirs = await actions(bb);
  check(!theirs.includes('lead_handover') && !theirs.includes('lead_release'), 'the other leader\'s actions: ' + theirs);
  await shot(a, 'leader-owner-1366');
  out({ step: 'offered' });

  // 移交: the picker lists the county's other leaders; a pick is required.
  await a.click(`${view} .actions button[data-action=lead_handover]`);
  const form = `${view} form.act-form[data-action=lead_handover]`;
  await a.waitForSelector(`${form} select[name=to_member]`);
  const options = await a.$$eval(`${form} select[name=to_member] option`, (os) => os.map((o) => o.textContent));
  check(JSON.stringify(options) === JSON.stringify(['请选择', env('NAME_B')]), 'the leaders to pick from: ' + options);
  await a.click(`${form} button[type=submit]`);
  check((await a.textContent(`${view} .action-message`)).includes('移交给'), 'a pick is asked for: ' + (await a.textContent(`${view} .action-message`)));
  await a.selectOption(`${form} select[name=to_member]`, { label: env('NAME_B') });
  await a.fill(`${form} textarea[name=reason]`, '工作调整，移交分管领导');
  await shot(a, 'leader-handover-form-1366');
  await a.click(`${form} button[type=submit]`);
  await a.waitForSelector(`${view} .timeline li[data-transition=lead_handover] [data-test=to-leader]`);
  const line = await a.textContent(`${view} .timeline li[data-transition=lead_handover]`);
  check(line.includes('移交包案') && line.includes('移交给' + env('NAME_B')), 'the history row: ' + line);
  await a.waitForFunction(([sel, name]) => document.querySelector(sel)?.textContent === '领导包案：' + name,
    [`${view} .case-head .tag.led`, env('NAME_B')]);
  const after = await actions(a);
  check(!after.includes('lead_handover') && !after.includes('lead_release'), 'A no longer offered them: ' + after);
  out({ step: 'handed_over' });

  // B's page follows live and offers 放弃包案 (Give up ownership); B gives it up with a reason.
  await bb.waitForSelector(`${view} .actions button[data-action=lead_release]`, { timeout: 10000 });
  check((await bb.textContent(`${view} .case-head .tag.led`)) === 'Owned by ' + env('NAME_B'), 'B named on B\'s page');
  const overflow = await bb.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `no sideways scroll at 360 px (${overflow})`);
  const small = await bb.$$eval(`${view} .actions button.act`, (bs) => bs.filter((x) => x.getBoundingClientRect().height < 44).length);
  check(small === 0, 'action buttons at least 44 px tall');
  await bb.click(`${view} .actions button[data-action=lead_release]`);
  const release = `${view} form.act-form[data-action=lead_release]`;
  await bb.waitForSelector(`${release} textarea[name=reason]`);
  await bb.fill(`${release} textarea[name=reason]`, '矛盾已缓和，交中心办理');
  await bb.$eval(release, (e) => e.scrollIntoView());
  await shot(bb, 'leader-release-form-360');
  await bb.click(`${release} button[type=submit]`);
  await bb.waitForSelector(`${view} .timeline li[data-transition=lead_release]`);
  await bb.waitForSelector(`${view} .case-head .tag.led`, { state: 'detached' });
  check((await bb.textContent(`${view} .timeline li[data-transition=lead_release] .tr`)) === 'Ownership given up', 'English history');
  out({ step: 'released' });

  // Nobody owns it: A may take it again.
  await a.waitForSelector(`${view} .actions button[data-action=lead]`, { timeout: 10000 });
  await shot(a, 'leader-released-1366');
  check(b.problems.length === 0, 'page errors: ' + b.problems.join('; '));
  out({ step: 'done' });
} catch (e) {
  if (process.env.SHOTS) await b.screenshots(`${process.env.SHOTS}/failure-leader`);
  throw e;
} finally {
  await b.close();
}
