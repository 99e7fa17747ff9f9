// Issue 15, points 6 and 7, in the console: one village mediator at a desk (1366 px, a mouse),
// on a phone (360 px, touch) and on a touch tablet. Cases reported while the console is open are
// announced: highlighted, counted in the tab's title, found by the 新案件 chip although the
// queue's order puts them last (below a phone's screen), aged 刚刚 / just now, and sounded once
// the sound is switched on (a WebAudio tone, remembered across a reload). A street lamp is
// settled (办结) as handled without a mediation; an accepted dispute says why it cannot be yet.
// The header is one line at 360 px; touch screens show no keyboard hints.
// Run by web/console_ux_app_test.go. Env: BASE_URL, PASSWORD, PHONE, LAMP_ID, DISPUTE_ID,
// SUPERVISOR (a township supervisor's phone), and
// SHOTS (a directory for screenshots, optional). It prints {"step": …, "report": description}
// when the Go test should report a case, and waits for it to arrive.
import { mkdirSync } from 'node:fs';
import { check, consoleBrowser, signIn } from './browser.mjs';

const env = process.env;
const url = env.BASE_URL + '/console/';
const say = (m) => process.stdout.write(JSON.stringify(m) + '\n');
const shots = env.SHOTS;
if (shots) mkdirSync(shots, { recursive: true });
const shot = async (page, name) => {
  if (shots) await page.screenshot({ path: `${shots}/${name}.png`, fullPage: name.endsWith('-full') });
};

// Every WebAudio oscillator started is a tone: counted per page.
const countTones = () => {
  window.__tones = 0;
  const make = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () {
    window.__tones++;
    return make.call(this);
  };
};

// oneLine measures the header: every visible child on one line, inside the bar, nothing
// scrolled sideways.
const oneLine = (page) => page.evaluate(() => {
  const bar = document.querySelector('header.bar');
  const b = bar.getBoundingClientRect();
  const kids = [...bar.children].map((e) => [e, e.getBoundingClientRect()]).filter(([, r]) => r.width > 1 && r.height > 1);
  const mids = kids.map(([, r]) => r.top + r.height / 2);
  return {
    height: b.height,
    sameLine: Math.max(...mids) - Math.min(...mids) < 4,
    inside: kids.every(([, r]) => r.left >= b.left - 0.5 && r.right <= b.right + 0.5 && r.top >= b.top - 0.5 && r.bottom <= b.bottom + 0.5),
    sideways: bar.scrollWidth > bar.clientWidth || document.documentElement.scrollWidth > innerWidth,
    shown: kids.map(([e]) => e.dataset.test ?? e.className),
    nameWidth: bar.querySelector('.centre-name').getBoundingClientRect().width,
    smallest: Math.min(...[...bar.querySelectorAll('button')].map((e) => { const r = e.getBoundingClientRect(); return Math.min(r.width, r.height); })),
  };
});

const b = await consoleBrowser();
try {
  const desk = await b.page('desk', { width: 1366, height: 800 });
  const phone = await b.page('phone', { width: 360, height: 740 });
  const foreign = [];
  for (const p of [desk, phone]) {
    await p.addInitScript(countTones);
    p.on('request', (r) => {
      if (!r.url().startsWith(env.BASE_URL) && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) foreign.push(r.url());
    });
    await signIn(p, url, env.PHONE, env.PASSWORD);
    await p.waitForSelector('.queue[data-loaded=true]');
    await p.waitForSelector('.conn[data-conn=online]');
  }
  const rowCount = Number(await desk.getAttribute('.queue', 'data-count'));
  check(rowCount >= 12, 'the old cases are listed: ' + rowCount);
  check(!(await desk.title()).startsWith('('), 'no count in the title before anything arrived: ' + await desk.title());
  check((await desk.getAttribute('[data-test=sound]', 'aria-pressed')) === 'false', 'the sound is off by default');
  check(await desk.isHidden('[data-test=new-chip]'), 'no chip before anything arrived');

  // Point 7, touch: no keyboard hints on the phone nor on a touch tablet; the desk has them.
  check(await desk.isVisible('.help'), 'the desk shows the keyboard hints');
  check((await phone.$('.help')) === null || await phone.isHidden('.help'), 'no keyboard hints on a touch phone');
  const tabletContext = await b.browser.newContext({ viewport: { width: 1024, height: 768 }, hasTouch: true, locale: 'zh-CN' });
  const tablet = await tabletContext.newPage();
  await signIn(tablet, url, env.PHONE, env.PASSWORD);
  await tablet.waitForSelector('.queue[data-loaded=true]');
  check((await tablet.$('.help')) === null || await tablet.isHidden('.help'), 'no keyboard hints on a touch tablet');
  await tabletContext.close();

  // Point 7, the header at 360 px: one line, nothing outside, the centre's name still readable.
  const head = await oneLine(phone);
  check(head.sameLine && head.inside && !head.sideways && head.height <= 60,
    'the 360-px header is one line: ' + JSON.stringify(head));
  for (const want of ['centre-name', 'conn', 'lang', 'sign-out']) {
    check(head.shown.some((s) => s.includes(want)), `the 360-px header shows ${want}: ${head.shown}`);
  }
  check(head.nameWidth >= 60 && head.smallest >= 44, 'the name is readable and the buttons are tappable: ' + JSON.stringify(head));
  // A supervisor's header has one more button (切换中心): one line too.
  const sup = await b.page('supervisor', { width: 360, height: 740 });
  await signIn(sup, url, env.SUPERVISOR, env.PASSWORD);
  await sup.click('.picker button.choice[data-centre="140802001"]');
  await sup.waitForSelector('.queue[data-loaded=true]');
  await sup.waitForSelector('[data-test=switch-centre]');
  const supHead = await oneLine(sup);
  check(supHead.sameLine && supHead.inside && !supHead.sideways && supHead.height <= 60 && supHead.smallest >= 44 &&
    supHead.shown.includes('switch-centre'), 'the supervisor\'s 360-px header is one line: ' + JSON.stringify(supHead));
  await shot(sup, 'console-360-supervisor');
  await sup.close();
  const deskHead = await oneLine(desk);
  check(deskHead.sameLine && deskHead.inside && !deskHead.sideways, 'the desk header is one line: ' + JSON.stringify(deskHead));

  // Point 6: a case reported while the console is open.
  const t0 = Date.now();
  say({ step: 'ready', report: '院墙外新发现的纠纷' });
  await Promise.all([desk, phone].map((p) => p.waitForSelector('[data-test=new-chip]:not([hidden])', { timeout: 5000 })));
  const announced = Date.now() - t0;
  const fresh = '.queue li.case-row.fresh[data-fresh=true]';
  await desk.waitForSelector(fresh);
  const id = Number(await desk.getAttribute(fresh, 'data-case-id'));
  check(/^\(1\) /.test(await desk.title()), 'the title counts the arrival: ' + await desk.title());
  check((await desk.textContent('[data-test=new-chip]')).includes('新案件 1'), 'the chip counts it');
  check((await desk.textContent(`${fresh} .tag.fresh`)) === '新', 'the row is marked 新');
  check((await desk.textContent(`${fresh} .c-age`)) === '刚刚', 'aged 刚刚: ' + await desk.textContent(`${fresh} .c-age`));
  const order = await desk.$$eval('.queue li.case-row', (els) => els.map((e) => Number(e.dataset.caseId)));
  check(order.indexOf(id) === order.length - 1, 'the queue\'s order puts the new case last: ' + order);
  const bg = await desk.$eval(fresh, (e) => getComputedStyle(e).backgroundColor);
  const plain = await desk.$eval('.queue li.case-row:not(.fresh)', (e) => getComputedStyle(e).backgroundColor);
  check(bg !== plain, `the new row is highlighted (${bg} vs ${plain})`);
  check(await desk.evaluate(() => window.__tones) === 0, 'no sound while the switch is off');
  await shot(desk, 'console-1366-arrival-full');

  // On the phone it is below the screen; the chip lists it at once, on the screen.
  await phone.waitForSelector(`.queue li.case-row[data-case-id="${id}"].fresh`);
  // Where the new row is on the phone's screen (polled: the list is redrawn as frames come).
  const where = (id) => {
    const e = document.querySelector(`.queue li.case-row[data-case-id="${id}"]`);
    return e ? { top: e.getBoundingClientRect().top, bottom: e.getBoundingClientRect().bottom, shown: e.checkVisibility() } : null;
  };
  const below = await phone.waitForFunction((id) => {
    const e = document.querySelector(`.queue li.case-row[data-case-id="${id}"]`);
    return e !== null && e.checkVisibility() && e.getBoundingClientRect().top > 740;
  }, id, { timeout: 3000 }).then(() => true, () => false);
  check(below, 'at 360 px the new case is below the screen: ' + JSON.stringify(await phone.evaluate(where, id)));
  await shot(phone, 'console-360-arrival');
  await phone.click('[data-test=new-chip]');
  await phone.waitForSelector('.queue[data-count="1"]');
  const box = await phone.evaluate(where, id);
  check(box.shown && box.top >= 0 && box.bottom <= 740, 'the chip shows the new case on the screen: ' + JSON.stringify(box));
  check((await phone.getAttribute('[data-test=new-chip]', 'aria-pressed')) === 'true', 'the chip is on');
  await shot(phone, 'console-360-new-only');
  await phone.click('[data-test=new-chip]');
  await phone.waitForSelector(`.queue[data-count="${rowCount + 1}"]`);
  say({ step: 'found', case_id: id, announced_ms: announced });

  // Opened, it is seen: no longer highlighted nor counted.
  await desk.click(`.queue li.case-row[data-case-id="${id}"]`);
  await desk.waitForSelector(`.case-view[data-case-id="${id}"][data-state=queued]`);
  check(!(await desk.title()).startsWith('('), 'the title drops the count once it is opened: ' + await desk.title());
  await desk.keyboard.press('Escape');
  await desk.waitForSelector(`.queue li.case-row[data-case-id="${id}"][data-fresh=false]`);
  check(await desk.isHidden('[data-test=new-chip]'), 'no chip once seen');
  say({ step: 'arrived', case_id: id });

  // The sound: turned on (it plays once), remembered across a reload, and heard on the next arrival.
  await desk.click('[data-test=sound]');
  check((await desk.getAttribute('[data-test=sound]', 'aria-pressed')) === 'true', 'the sound is on');
  check(await desk.evaluate(() => localStorage.getItem('griddispatch.console.sound')) === 'on', 'the choice is kept');
  check(await desk.evaluate(() => window.__tones) > 0, 'turning it on plays the tone');
  await desk.reload();
  await desk.waitForSelector('.queue[data-loaded=true]');
  await desk.waitForSelector('.conn[data-conn=online]');
  check((await desk.getAttribute('[data-test=sound]', 'aria-pressed')) === 'true', 'the sound is still on after a reload');
  await desk.mouse.click(5, 400); // a gesture, which lets the page make sound
  check(await desk.evaluate(() => window.__tones) === 0, 'nothing sounded yet');
  say({ step: 'ready', report: '第二起新上报的纠纷' });
  await desk.waitForSelector('[data-test=new-chip]:not([hidden])', { timeout: 5000 });
  await desk.waitForFunction(() => window.__tones > 0, null, { timeout: 2000 });
  check(/^\(1\) /.test(await desk.title()), 'the second arrival is counted: ' + await desk.title());
  await phone.waitForSelector('[data-test=new-chip][data-count="2"]', { timeout: 5000 });
  check(/^\(2\) /.test(await phone.title()), 'the phone counts both arrivals: ' + await phone.title());
  check(await phone.evaluate(() => window.__tones) === 0, 'the phone, switched off, stays silent');
  check(foreign.length === 0, 'nothing fetched from elsewhere: ' + foreign);
  say({ step: 'sounded' });

  // English, on a phone: just now, and the header's longer words still fit on one line.
  const en = await b.page('en', { width: 360, height: 740 });
  await signIn(en, url + '?lang=en', env.PHONE, env.PASSWORD);
  await en.waitForSelector('.queue[data-loaded=true]');
  check((await en.textContent('.queue li.case-row:last-child .c-age')) === 'just now',
    'aged just now in English: ' + await en.textContent('.queue li.case-row:last-child .c-age'));
  const enHead = await oneLine(en);
  check(enHead.sameLine && enHead.inside && !enHead.sideways && enHead.height <= 60 && enHead.smallest >= 44,
    'the English 360-px header is one line: ' + JSON.stringify(enHead));
  await shot(en, 'console-360-en');
  await en.close();

  // Point 7: the street lamp, accepted, is settled as handled with notes; no mediation needed.
  const lamp = `.case-view[data-case-id="${env.LAMP_ID}"]`;
  await desk.evaluate((id) => { location.hash = '#/case/' + id; }, env.LAMP_ID);
  await desk.click(`${lamp} .actions button[data-action=accept]`);
  await desk.waitForSelector(`${lamp}[data-state=accepted] .actions button[data-action=settle]`);
  await desk.click(`${lamp} .actions button[data-action=settle]`);
  await desk.waitForSelector('form.act-form[data-action=settle] [data-test=settle-handled]');
  const options = await desk.$$eval('form.act-form[data-action=settle] select[name=outcome] option', (els) => els.map((e) => e.value));
  check(JSON.stringify(options) === '["handled"]', 'without a mediation the outcome is handled: ' + options);
  await desk.click('form.act-form[data-action=settle] button[type=submit]');
  check((await desk.textContent('.action-message.error')).includes('处置情况'), 'the notes are asked for');
  await desk.fill('form.act-form[data-action=settle] textarea[name=reason]', '已更换灯泡，恢复照明');
  await shot(desk, 'console-1366-settle-handled');
  await desk.click('form.act-form[data-action=settle] button[type=submit]');
  await desk.waitForSelector(`${lamp}[data-state=verifying]`);
  check((await desk.textContent(`${lamp} .timeline`)).includes('已更换灯泡，恢复照明'), 'the notes are in the history');
  say({ step: 'settled' });

  // The accepted dispute: no 办结, and where it would be, why.
  const dispute = `.case-view[data-case-id="${env.DISPUTE_ID}"]`;
  for (const p of [desk, phone]) {
    await p.evaluate((id) => { location.hash = '#/case/' + id; }, env.DISPUTE_ID);
    await p.waitForSelector(`${dispute}[data-state=accepted] .actions button[data-action=mediate]`);
    check((await p.$(`${dispute} .actions button[data-action=settle]`)) === null, 'no settle for an unmediated dispute');
    check((await p.textContent(`${dispute} [data-test=settle-why]`)).includes('调处'), 'the panel says why');
  }
  await shot(desk, 'console-1366-dispute');
  await shot(phone, 'console-360-dispute');
  await phone.evaluate(() => { location.hash = '#/'; });
  await phone.waitForSelector('.queue-view:not([hidden])');
  await shot(phone, 'console-360-queue-full');
  await desk.evaluate(() => { location.hash = '#/'; });
  await shot(desk, 'console-1366-queue');
  check(b.problems.length === 0, 'no page errors: ' + b.problems.join('; '));
  say({ step: 'done' });
} catch (e) {
  await b.screenshots(env.SCREENSHOT ?? '/tmp/console_ux_failure.png');
  throw e;
} finally {
  await b.close();
}
