// The mediation record and its agreement in the console, after the county administrator has
// been refused an unknown placeholder in the agreement's template (admin app). The Go test (web/mediation_app_test.go)
// has a neighbour dispute accepted by the village centre. The village mediator, on a desk,
// records a mediation with two parties (an ID number with a wrong check digit is caught first),
// settles it with the terms, prints the agreement (生成协议书: the PDF is saved for the Go test to
// read), uploads a signed copy and records a referral to the court for judicial confirmation.
// Then at 360 px, and in English, the section fits the screen with 44 px controls; the
// township's supervisor reads the record with the numbers masked.
// Prints {"done": true, "pdf": path}.
// Env: BASE_URL, PASSWORD, PHONE_M, PHONE_S, PHONE_A, CASE_ID, ID_A, ID_B, OUT_DIR; SHOTS (optional).
import { join } from 'node:path';
import { check, consoleBrowser, consoleSignIn, env, shot, tapTarget } from './browser.mjs';

const base = env('BASE_URL');
const caseID = env('CASE_ID');
const step = (s) => process.stderr.write(`mediation_agreement: ${s}\n`);

async function openCase(page, lang = '') {
  await page.goto(base + '/console/' + lang + '#/case/' + caseID);
  await page.waitForSelector(`.case-view[data-case-id="${caseID}"] [data-test=mediation] h3`);
}

const c = await consoleBrowser();
try {
  step('the county administrator: an unknown placeholder is refused, the template saved');
  const admin = await c.page('admin', { width: 1366, height: 900 });
  await admin.goto(base + '/admin/#agreement');
  await admin.fill('input[name=phone]', env('PHONE_A'));
  await admin.fill('input[name=password]', env('PASSWORD'));
  await admin.click('form.signin button[type=submit]');
  await admin.waitForSelector('.agreement-page[data-loaded=true]');
  check((await admin.inputValue('.agreement-page [name=title]')) === '人民调解协议书', 'the default template');
  const body = await admin.inputValue('.agreement-page [name=body]');
  await admin.fill('.agreement-page [name=body]', body + '\n{{signature}}');
  await admin.click('.agreement-page [data-test=save]');
  await admin.waitForFunction(() => document.querySelector('.agreement-page [role=alert]')?.textContent.includes('signature'));
  await shot(admin, 'agreement-template-refused-1366');
  await admin.fill('.agreement-page [name=body]', body);
  await admin.click('.agreement-page [name=body]');
  await admin.keyboard.press('Control+End');
  await admin.click('.agreement-page .chip:has-text("{{claims}}")');
  check((await admin.inputValue('.agreement-page [name=body]')).endsWith('{{claims}}'), 'a placeholder chip inserts itself');
  await admin.fill('.agreement-page [name=body]', body);
  await admin.click('.agreement-page [data-test=save]');
  await admin.waitForFunction(() => document.querySelector('.agreement-page [role=status]')?.textContent === '已保存');
  await shot(admin, 'agreement-template-1366');

  step('a desk: record a mediation with two parties');
  const desk = await c.page('desk', { width: 1366, height: 900 });
  await consoleSignIn(desk, env('PHONE_M'));
  await desk.waitForSelector('.queue[data-loaded=true]');
  await openCase(desk);
  await desk.waitForSelector('[data-test=med-new]');
  check((await desk.textContent('[data-test=mediation] h3')) === '调解记录', 'the section is titled 调解记录');
  await desk.click('[data-test=med-new]');
  const form = '[data-test=med-form]';
  await desk.waitForSelector(form);
  const parties = `${form} [data-test=med-party]`;
  check((await desk.$$(parties)).length === 2, 'the form starts with two parties');
  const fill = async (i, name, id, phone) => {
    const row = (await desk.$$(parties))[i];
    await (await row.$('[name=name]')).fill(name);
    await (await row.$('[name=id_number]')).fill(id);
    await (await row.$('[name=phone]')).fill(phone);
  };
  const idA = env('ID_A');
  const wrong = idA.slice(0, 17) + (idA[17] === '1' ? '2' : '1');
  await fill(0, '张建国', wrong, '13912345678');
  await desk.waitForSelector(`${parties} .med-id-note:not(:empty)`);
  check((await desk.textContent(`${parties} .med-id-note`)).includes('校验位'), 'a wrong check digit is told as typed');
  await fill(0, '张建国', idA, '13912345678');
  await fill(1, '李秀英', env('ID_B'), '13887654321');
  await desk.fill(`${form} [name=facts]`, '两户因排水沟堵塞发生争执，东户院内积水。');
  await desk.fill(`${form} [name=claims]`, '东户请求西户疏通排水沟并赔偿损失。');
  await desk.fill(`${form} [name=outside]`, '赵德明');
  await desk.selectOption(`${form} [name=outcome]`, 'settled');
  await desk.fill(`${form} [name=terms]`, '一、西户于三日内疏通排水沟。\n二、疏通费用由双方各半承担。');
  await shot(desk, 'mediation-form-1366');
  let answered = desk.waitForResponse((r) => r.url().endsWith(`/api/cases/${caseID}/mediations`) && r.request().method() === 'POST');
  await desk.click(`${form} [data-test=med-save]`);
  check((await answered).status() === 201, 'the record is saved');
  await desk.waitForSelector('[data-test=med-item][data-outcome=settled][data-owned=true]');
  const item = await desk.textContent('[data-test=med-item]');
  check(item.includes(idA) && item.includes('13912345678') && item.includes('调解成功'), 'the owner reads the numbers in full: ' + item);
  const code = (await desk.textContent('[data-test=med-code]')).replace('协议编号：', '');
  await shot(desk, 'mediation-settled-1366');

  step('生成协议书: the PDF');
  const [download] = await Promise.all([desk.waitForEvent('download'), desk.click('[data-test=med-pdf]')]);
  const pdf = join(env('OUT_DIR'), 'agreement.pdf');
  await download.saveAs(pdf);
  if (process.env.SHOTS) await download.saveAs(join(process.env.SHOTS, 'agreement.pdf'));
  check(/^agreement-\d+-1\.pdf$/.test(download.suggestedFilename()), 'the PDF is named: ' + download.suggestedFilename());

  step('a signed copy and a referral to the court');
  const [chooser] = await Promise.all([desk.waitForEvent('filechooser'), desk.click('.med-upload')]);
  await chooser.setFiles(env('COPY_PNG'));
  await desk.waitForSelector('[data-test=med-copies] img[src^="blob:"]');
  check((await desk.textContent('[data-test=med-copies]')).includes('签字协议 1 份'), 'the copy is listed');
  await desk.click('[data-test=med-refer]');
  await desk.waitForSelector('[data-test=med-refer-form]');
  check(await desk.$eval('[data-test=med-refer-form] [name=kind]', (s) => s.value) === 'court', 'a settled record is referred to the court first');
  await desk.fill('[data-test=med-refer-form] [name=body]', '东阜县人民法院');
  await desk.fill('[data-test=med-refer-form] [name=reason]', '双方共同申请司法确认');
  answered = desk.waitForResponse((r) => r.url().endsWith('/referrals'));
  await desk.click('[data-test=med-refer-form-save]');
  check((await answered).status() === 201, 'the referral is recorded');
  await desk.waitForSelector('[data-test=med-referral]');
  check((await desk.textContent('[data-test=med-referral]')).includes('待反馈'), 'the referral awaits its result');
  await shot(desk, 'mediation-referral-1366');
  check(await desk.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scroll on a desk');

  step('360 px: the section fits and its controls are tall enough');
  const phone = await c.page('phone', { width: 360, height: 780 });
  await consoleSignIn(phone, env('PHONE_M'));
  await phone.waitForSelector('.queue[data-loaded=true]');
  await openCase(phone);
  await phone.waitForSelector('[data-test=med-item]');
  await phone.click('[data-test=med-edit]');
  await phone.waitForSelector('[data-test=med-form]');
  await phone.locator('[data-test=mediation]').scrollIntoViewIfNeeded();
  await shot(phone, 'mediation-form-360');
  if (process.env.SHOTS) {
    await phone.locator('[data-test=med-item]').screenshot({ path: `${process.env.SHOTS}/mediation-item-360.png` });
    await phone.locator('[data-test=med-form]').screenshot({ path: `${process.env.SHOTS}/mediation-form-only-360.png` });
  }
  check(await phone.evaluate(() => document.documentElement.scrollWidth <= 360), 'no sideways scroll at 360 px');
  for (const sel of ['[data-test=med-pdf]', '[data-test=med-refer]', '[data-test=med-save]', '.med-upload', '[data-test=med-add-party]']) {
    check(await tapTarget(phone, sel, 360), sel + ' is a 44 px tap target within the screen');
  }
  const outOfScreen = await phone.$$eval('[data-test=mediation] input, [data-test=mediation] select, [data-test=mediation] textarea',
    (els) => els.filter((e) => { const b = e.getBoundingClientRect(); return b.width > 0 && (b.left < 0 || b.right > 360); }).length);
  check(outOfScreen === 0, `${outOfScreen} fields run off the screen`);

  step('English');
  const en = await c.page('en', { width: 1366, height: 900 });
  await consoleSignIn(en, env('PHONE_M'));
  await en.waitForSelector('.queue[data-loaded=true]');
  await openCase(en, '?lang=en');
  check((await en.textContent('[data-test=mediation] h3')) === 'Mediation record', 'English title');
  check((await en.textContent('[data-test=med-pdf]')) === 'Agreement PDF', 'English PDF button');
  await shot(en, 'mediation-en-1366');

  step('the supervisor above reads it masked');
  const sup = await c.page('supervisor', { width: 1366, height: 900 });
  await consoleSignIn(sup, env('PHONE_S'));
  await sup.waitForSelector('.picker button.choice[data-centre="140802001"]');
  await sup.click('.picker button.choice[data-centre="140802001"]');
  await sup.waitForSelector('.queue[data-loaded=true]');
  await openCase(sup);
  await sup.waitForSelector('[data-test=med-item][data-owned=false]');
  const masked = await sup.textContent('[data-test=med-item]');
  check(!masked.includes(idA) && masked.includes(idA.slice(0, 4) + '**********' + idA.slice(14)) && masked.includes('139****5678'),
    'the supervisor reads masked numbers: ' + masked);
  check(!(await sup.$('[data-test=med-edit]')) && !(await sup.$('.med-upload')), 'the supervisor cannot change it');
  await shot(sup, 'mediation-masked-1366');
  check(c.problems.length === 0, 'no page errors: ' + c.problems.join('; '));
  process.stdout.write(JSON.stringify({ done: true, pdf, code }) + '\n');
} catch (e) {
  await c.screenshots(process.env.SCREENSHOT ?? '/tmp/mediation_agreement_failure.png');
  throw e;
} finally {
  await c.close();
}
