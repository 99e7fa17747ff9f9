// 积分事项 on the phone (web/points_items_app_test.go): the grid leader enters a patrol for the
// grid's worker on 我的积分; the township supervisor is told a rejection needs a reason, then
// approves it; the worker finds the balance 1 and the row 网格巡查 +1. At 360 px.
// Prints {"done": true}. Env: BASE_URL, PASSWORD, LEADER, SUPERVISOR, WORKER; SHOTS (optional).
import { check, consoleBrowser, env, shot, signIn } from './browser.mjs';

const base = env('BASE_URL');
const step = (s) => process.stderr.write(`points_items: ${s}\n`);
const open = async (page, phone) => {
  await signIn(page, base + '/phone/', phone, env('PASSWORD'));
  await page.click('nav.tabs button[data-tab=points]');
  await page.waitForSelector('[data-test=points-balance]');
};
const phoneSize = { width: 360, height: 740 };

const c = await consoleBrowser();
try {
  step('the leader enters a patrol');
  const leader = await c.page('leader', phoneSize);
  await open(leader, env('LEADER'));
  await leader.waitForSelector('[data-test=item-form]');
  await leader.selectOption('[data-test=item-form] select[name=rule]', 'patrol');
  await leader.fill('[data-test=item-form] textarea[name=note]', '巡查3组，路灯损坏一处已上报');
  await leader.click('[data-test=item-form] button[type=submit]');
  await leader.waitForSelector('[data-test=items-mine] .item-row[data-status=pending]');
  check((await leader.textContent('[data-test=item-message]')).includes('已提交'), 'the leader is told it was sent');
  const width = await leader.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, 'no overflow at 360 px: ' + width);
  await leader.$eval('[data-test=item-form]', (e) => e.scrollIntoView());
  await shot(leader, 'items-leader-360', false);

  step('the supervisor: a reason to reject, then approve');
  const sup = await c.page('supervisor', phoneSize);
  await open(sup, env('SUPERVISOR'));
  const row = '[data-test=items-to-decide] .item-row[data-status=pending]';
  await sup.waitForSelector(row);
  check((await sup.textContent(row)).includes('网格巡查'), 'the patrol waits for the supervisor');
  await sup.click(`${row} [data-test=reject]`);
  check((await sup.textContent(`${row} [role=alert]`)).includes('驳回理由'), 'a rejection needs a reason');
  await sup.$eval(row, (e) => e.scrollIntoView());
  await shot(sup, 'items-supervisor-360', false);
  const box = await (await sup.$(`${row} [data-test=approve]`)).boundingBox();
  check(box.height >= 44, 'the approve button is tap-sized');
  await sup.click(`${row} [data-test=approve]`);
  await sup.waitForSelector('[data-test=items-to-decide]', { state: 'detached' });

  step('the worker finds the point');
  const worker = await c.page('worker', phoneSize);
  await open(worker, env('WORKER'));
  check((await worker.textContent('[data-test=points-balance]')).trim() === '1', 'balance 1');
  check((await worker.textContent('[data-test=point-rows]')).includes('网格巡查'), 'the row of the patrol');
  await worker.waitForSelector('[data-test=items-mine] .item-row[data-status=approved]');
  await shot(worker, 'items-worker-360');
  check(c.problems.length === 0, 'no page errors: ' + c.problems.join('; '));
  console.log(JSON.stringify({ done: true }));
} finally {
  await c.close();
}
