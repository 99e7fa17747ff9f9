// The supervisors' list of pending 延期 requests. The township supervisor's console is open at a
// phone's width with an empty 延期申请 list; the village mediator asks for more time; without a
// reload the request appears in the list with its case, centre, date asked for, reason, when it
// was asked and the current deadline; the supervisor approves it from the list and the list
// empties, on a second supervisor console too. Asked again, it is refused from the list, which
// needs a reason. Run by web/console_rulings_app_test.go.
// Env: BASE_URL, PASSWORD, PHONE_S (township supervisor), PHONE_M (village mediator), CASE_ID;
// SHOTS (optional): a directory for screenshots.
import { check, consoleBrowser, consoleSignIn as signIn, shot, tapTarget as fits } from './browser.mjs';

const env = process.env;
const caseID = Number(env.CASE_ID);
const row = `.queue li.case-row[data-case-id="${caseID}"]`;
const caseView = `.case-view[data-case-id="${caseID}"]`;
const list = '[data-test=pending-extensions]';
const item = `${list} li.px-row[data-case-id="${caseID}"]`;

// ask has the village ask for more time from the case page: a day past its deadline.
async function ask(m, words) {
  await m.waitForSelector(`${caseView} .actions button[data-action=extend_request]`);
  await m.click(`${caseView} .actions button[data-action=extend_request]`);
  const form = 'form.act-form[data-action=extend_request]';
  await m.fill(`${form} textarea[name=reason]`, words);
  await m.click(`${form} button[type=submit]`);
  await m.waitForSelector(`${caseView} [data-test=extension-pending]`);
}

const b = await consoleBrowser();
try {
  const supervisor = async (width) => {
    const s = await b.page('S' + width, { width, height: width === 360 ? 740 : 900 });
    await signIn(s, env.PHONE_S);
    await s.click('.picker button.choice[data-centre="140802001"]');
    await s.waitForSelector('.queue[data-loaded=true][data-centre="140802001"]');
    await s.waitForSelector('.conn[data-conn=online]');
    await s.waitForSelector(`${list}[data-loaded=true][data-count="0"]`);
    return s;
  };
  const s = await supervisor(360);
  const wide = await supervisor(1366);
  check((await s.textContent(list)).includes('没有待审批的延期申请'), 'the empty list says so');
  const box = await (await s.$(list)).boundingBox();
  check(box.y < 740, 'the list is on the first screen at 360 px, no tap needed: y=' + box.y);

  // The village accepts the case and asks for more time.
  const m = await b.page('M', { width: 1366, height: 900 });
  await signIn(m, env.PHONE_M);
  await m.waitForSelector(`${row}[data-state=queued]`);
  await m.click(row);
  await m.click(`${caseView} .actions button[data-action=accept]`);
  await m.waitForSelector(`${caseView}[data-state=accepted]`);
  await ask(m, '需等待房屋安全鉴定结果');

  // Live on both supervisor consoles.
  for (const p of [s, wide]) {
    await p.waitForSelector(item, { timeout: 10_000 });
    check((await p.getAttribute(list, 'data-count')) === '1', 'one request');
    const text = await p.textContent(item);
    for (const want of ['#' + caseID, '东阜村', '需等待房屋安全鉴定结果', '申请延至', '当前期限', '申请时间']) {
      check(text.includes(want), `the row shows ${want}: ${text}`);
    }
  }
  for (const a of ['extend_approve', 'refuse']) {
    check(await fits(s, `${item} button[data-action=${a}]`, 360), a + ' is a 44 px target inside 360 px');
  }
  check(await s.evaluate(() => document.documentElement.scrollWidth <= 360), 'nothing overflows at 360 px');
  await shot(s, 'extensions-pending-360');
  await shot(wide, 'extensions-pending-1366');

  // Approved from the list: it empties, on the other console too; the village sees the decision.
  await s.click(`${item} button[data-action=extend_approve]`);
  for (const p of [s, wide]) {
    await p.waitForSelector(`${list}[data-count="0"]`, { timeout: 10_000 });
    check((await p.$(item)) === null, 'the list is empty');
  }
  check((await s.textContent(`${list} .px-message`)).includes('批准延期'), 'it says it was approved');
  await m.waitForSelector(`${caseView} .timeline li[data-transition=extend_approve]`, { timeout: 10_000 });

  // Asked again: refused from the list, with a reason.
  await ask(m, '鉴定机构排期再延后');
  await s.waitForSelector(item, { timeout: 10_000 });
  // In English, at a phone's width: the same row, nothing overflowing.
  await wide.setViewportSize({ width: 360, height: 740 });
  await wide.goto(env.BASE_URL + '/console/?lang=en');
  await wide.waitForSelector(`${item} button[data-action=extend_approve]`, { timeout: 10_000 });
  const en = await wide.textContent(item);
  for (const want of ['Until', 'Deadline now', 'Asked by', 'Approve', 'Refuse']) check(en.includes(want), `in English, ${want}: ${en}`);
  check(await wide.evaluate(() => document.documentElement.scrollWidth <= 360), 'nothing overflows at 360 px in English');
  await shot(wide, 'extensions-pending-360-en');
  await s.click(`${item} button[data-action=refuse]`);
  await s.click(`${item} form.px-refuse button[type=submit]`);
  check((await s.textContent(`${list} .px-message.error`)).includes('请填写驳回理由'), 'a reason is asked for first');
  await s.fill(`${item} form.px-refuse textarea[name=reason]`, '请按原期限办结');
  await shot(s, 'extensions-refuse-360');
  await s.click(`${item} form.px-refuse button[type=submit]`);
  for (const p of [s, wide]) await p.waitForSelector(`${list}[data-count="0"]`, { timeout: 10_000 });
  await m.waitForSelector(`${caseView} .timeline li[data-transition=extend_refuse]`, { timeout: 10_000 });
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  process.stdout.write(JSON.stringify({ step: 'decided' }) + '\n');
} catch (e) {
  await b.screenshots(env.SCREENSHOT ?? '/tmp/console_extensions_pending_failure.png');
  throw e;
} finally {
  await b.close();
}
