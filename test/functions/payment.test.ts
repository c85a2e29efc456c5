/** @jest-environment node */
/**
 * WeChat Pay (issue 19), end to end through the local cloud and its payment-platform stand-in:
 * pay → callback → accept; the unpaid timeout; late, repeated, out-of-order and forged callbacks;
 * every refund path exactly once; a refund failing then succeeding; who may pay and see what.
 */
import type { Grid, HouseholdDoc, OrderDoc, RefundDoc } from '../../typings/entities';
import type { CallContext } from '../../server/lib/define-function';
import { payTimer, refundOnEnd, refundShortfall } from '../../server/lib/refunds';
import { handleNotification, main as paymentMain } from '../../server/functions/payment';
import { payments } from '../../server/functions/order/timers';
import { platformContext } from '../../localcloud/invoke';
import { DEV_TOKEN_HEADER } from '../../localcloud/dev-token';
import {
  cloudPayTrades,
  failCloudPay,
  holdCloudPayRefunds,
  paymentNotice,
  resetCloudPay,
} from '../../localcloud/wechat/apis/cloudpay';
import { deliverNotifications, handleDevPay } from '../../localcloud/wechat/pay-notify';
import { PAY_TIMEOUT_MS } from '../../core/policy';
import { startTestCloud, type TestCloud } from '../helpers/cloud';
import { quotaUsed, stockOf } from '../helpers/shop';

let t: TestCloud;
let residents: Array<{ openid: string; household: HouseholdDoc }>;
let next = 0;
let seq = 0;
const rid = () => `pay-${String((seq += 1)).padStart(8, '0')}`;

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 2, households: 60, joinedShare: 1, at: new Date() } });
  const households = (await t.db.collection('households').orderBy('_id', 'asc').limit(1000).get())
    .data as HouseholdDoc[];
  residents = households
    .filter((h) => h.memberOpenids.length > 0)
    .map((h) => ({ openid: h.memberOpenids[0] as string, household: h }));
});
afterAll(() => t.close());
afterEach(() => resetCloudPay());

/** A resident no other test used. */
const fresh = () => residents[(next += 1)] as { openid: string; household: HouseholdDoc };

const LINES = [
  { itemId: 'item-009', qty: 3 }, // 土豆 2.00 元/斤
  { itemId: 'item-006', qty: 2 }, // 鸡蛋 6.50 元/斤
];
const TOTAL = 3 * 200 + 2 * 650;

async function placeWechat(r: { openid: string }) {
  return t.ok(
    r.openid,
    'order.place',
    { kind: 'grocery', lines: LINES, payment: 'wechatPay', contactless: true },
    rid(),
  );
}

const orderDoc = async (id: string) => (await t.db.collection('orders').doc(id).get()).data[0] as OrderDoc;
const refundsOf = async (orderId: string) =>
  (await t.db.collection('refunds').where({ orderId }).get()).data as RefundDoc[];
const gridworkerOf = async (gridId: string) =>
  ((await t.db.collection('grids').doc(gridId).get()).data[0] as Grid).gridworkerIds[0] as string;
const ctxAt = (ms = 0): CallContext => ({
  caller: null,
  requestId: null,
  now: new Date(Date.now() + ms),
  db: t.db,
  invocationId: `test-${ms}`,
});

/** The payer pays in WeChat; the platform's notification is delivered (or kept back). */
async function payInWechat(outTradeNo: string, body: Record<string, unknown> = {}) {
  const answer = await handleDevPay('POST', `/dev/pay/${outTradeNo}`, body);
  expect(answer?.status).toBe(200);
  return (answer?.body as { data: { transactionId: string; deliveries: Array<{ answer: unknown }> } }).data;
}

/** A paid WeChat Pay order of a fresh resident. */
async function paidOrder() {
  const r = fresh();
  const placed = await placeWechat(r);
  await t.ok(r.openid, 'order.pay', { orderId: placed.id });
  const o = await orderDoc(placed.id);
  await payInWechat(o.pay!.outTradeNo);
  return { r, order: await orderDoc(placed.id) };
}

describe('paying', () => {
  it('pay → callback (repeated) → paid once → the gridworker may accept; staff alone see the transaction id', async () => {
    const r = fresh();
    const gw = await gridworkerOf(r.household.gridId);
    const placed = await placeWechat(r);
    expect(placed.pay).toMatchObject({
      mode: 'wechatPay',
      state: 'awaiting',
      stateText: '待支付',
      amountFen: TOTAL,
      canPay: true,
    });

    // Not paid yet: the pool says so, and accepting is refused with a clear code.
    const pool = await t.ok(gw, 'dispatch.pool', { gridId: r.household.gridId, status: 'submitted', limit: 100 });
    expect(pool.items.find((o) => o.id === placed.id)?.pay).toMatchObject({ stateText: '待支付', acceptable: false });
    expect(await t.call(gw, 'dispatch.review', { orderIds: [placed.id], accept: true })).toMatchObject({
      ok: false,
      code: 'PAY.NOT_PAID',
    });

    // The resident's timeline waits for the payment, not the gridworker.
    expect((await t.ok(r.openid, 'order.detail', { orderId: placed.id })).history[0]?.text).toBe('已下单，待支付');

    const params = await t.ok(r.openid, 'order.pay', { orderId: placed.id });
    expect(params).toMatchObject({ orderId: placed.id, totalFen: TOTAL });
    expect(params.payment.package).toMatch(/^prepay_id=/);
    // The same order asked again: the same prepay, fresh signature.
    const again = await t.ok(r.openid, 'order.pay', { orderId: placed.id });
    expect(again.payment.package).toBe(params.payment.package);
    const trade = cloudPayTrades().find((x) => x.attach === placed.id);
    expect(trade).toMatchObject({ totalFee: TOTAL, openid: r.openid, functionName: 'payment', subMchId: '1900000109' });

    const o = await orderDoc(placed.id);
    const paid = await payInWechat(o.pay!.outTradeNo, { repeat: 3 });
    expect(paid.deliveries).toHaveLength(3);
    for (const d of paid.deliveries) expect(d.answer).toEqual({ errcode: 0, errmsg: '' });
    const after = await orderDoc(placed.id);
    expect(after.pay).toMatchObject({ state: 'paid', transactionId: paid.transactionId });

    expect(await t.ok(gw, 'dispatch.review', { orderIds: [placed.id], accept: true })).toEqual({
      changed: 1,
      skipped: 0,
    });
    const mine = await t.ok(r.openid, 'order.detail', { orderId: placed.id });
    expect(mine.pay).toMatchObject({ stateText: '已支付', transactionId: null, canPay: false });
    expect(mine.history[0]?.text).toBe('已提交，等待网格员接单');
    const staff = await t.ok(gw, 'order.detail', { orderId: placed.id });
    expect(staff.pay.transactionId).toBe(paid.transactionId);
  });

  it('the client never says paid: syncPayment asks the platform; a late, out-of-order callback changes nothing more', async () => {
    const r = fresh();
    const placed = await placeWechat(r);
    await t.ok(r.openid, 'order.pay', { orderId: placed.id });
    const before = await t.ok(r.openid, 'order.syncPayment', { orderId: placed.id });
    expect(before.state).toBe('awaiting');
    const o = await orderDoc(placed.id);
    const paid = await payInWechat(o.pay!.outTradeNo, { deliver: false });
    expect(paid.deliveries).toHaveLength(0);
    const synced = await t.ok(r.openid, 'order.syncPayment', { orderId: placed.id });
    expect(synced).toMatchObject({ state: 'paid', stateText: '已支付' });
    const paidAt = (await orderDoc(placed.id)).pay!.paidAt;
    // The notification comes late, twice, newest first.
    await payInWechat(o.pay!.outTradeNo, { deliver: false });
    const late = await deliverNotifications({ reverse: true, repeat: 2 });
    expect(late.every((d) => (d.answer as { errcode: number }).errcode === 0)).toBe(true);
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'paid', transactionId: paid.transactionId, paidAt });
  });

  it('free love bags stay free; medicine cannot be paid in the app', async () => {
    const r = fresh();
    const bag = await t.ok(
      r.openid,
      'order.place',
      { kind: 'loveBag', payment: 'wechatPay', contactless: true },
      rid(),
    );
    expect(bag).toMatchObject({ payment: 'free', totalFen: 0 });
    expect(bag.pay).toMatchObject({ state: null, stateText: '免费', canPay: false });
    expect(
      await t.call(
        r.openid,
        'order.place',
        {
          kind: 'medicine',
          medicine: { description: '布洛芬 一盒', urgency: 'normal' },
          payment: 'wechatPay',
          contactless: true,
        },
        rid(),
      ),
    ).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
  });
});

describe('the unpaid timeout', () => {
  it('cancels as the system, closes the platform order, gives stock and quota back exactly once', async () => {
    const r = fresh();
    const stock = await stockOf(t, 'item-009');
    const placed = await placeWechat(r);
    await t.ok(r.openid, 'order.pay', { orderId: placed.id });
    expect(await stockOf(t, 'item-009')).toBe(stock - 3);
    expect((await quotaUsed(t, r.household._id))['item-009']).toBe(3);

    // Not yet expired: nothing happens.
    await payTimer(ctxAt(PAY_TIMEOUT_MS - 60_000));
    expect((await orderDoc(placed.id)).status).toBe('submitted');

    // The order function's timer part: cancels, and tells the household.
    const first = await payments(ctxAt(PAY_TIMEOUT_MS + 1000));
    expect(first.expired).toBeGreaterThanOrEqual(1);
    const told = (await t.db.collection('outbox').where({ openid: r.openid }).get()).data as Array<{
      data: Record<string, string>;
    }>;
    expect(told.some((m) => m.data.note === '超时未支付，订单已自动取消')).toBe(true);
    const o = await orderDoc(placed.id);
    expect(o).toMatchObject({ status: 'cancelled', pay: { state: 'closed' } });
    expect(o.history.at(-1)).toMatchObject({ by: 'system', note: '支付超时，自动取消' });
    expect(await stockOf(t, 'item-009')).toBe(stock);
    expect((await quotaUsed(t, r.household._id))['item-009'] ?? 0).toBe(0);
    expect(cloudPayTrades().find((x) => x.outTradeNo === o.pay!.outTradeNo)?.state).toBe('CLOSED');

    await payTimer(ctxAt(PAY_TIMEOUT_MS + 120_000));
    expect(await stockOf(t, 'item-009')).toBe(stock);
    expect(await t.call(r.openid, 'order.pay', { orderId: placed.id })).toMatchObject({
      ok: false,
      code: 'PAY.EXPIRED',
    });
  });

  it('keeps an order whose payment reached the platform before expiry (no callback yet)', async () => {
    const r = fresh();
    const placed = await placeWechat(r);
    await t.ok(r.openid, 'order.pay', { orderId: placed.id });
    const o = await orderDoc(placed.id);
    await payInWechat(o.pay!.outTradeNo, { deliver: false });
    const swept = await payTimer(ctxAt(PAY_TIMEOUT_MS + 1000));
    expect(swept.kept).toBeGreaterThanOrEqual(1);
    expect(await orderDoc(placed.id)).toMatchObject({ status: 'submitted', pay: { state: 'paid' } });
  });

  it('refunds, whole and once, money that lands after the order was closed', async () => {
    const r = fresh();
    const placed = await placeWechat(r);
    await t.ok(r.openid, 'order.pay', { orderId: placed.id });
    await payTimer(ctxAt(PAY_TIMEOUT_MS + 1000));
    const o = await orderDoc(placed.id);
    expect(o.status).toBe('cancelled');
    // A payment in flight when the platform order closed went through after all.
    const trade = cloudPayTrades().find((x) => x.outTradeNo === o.pay!.outTradeNo)!;
    Object.assign(trade, {
      state: 'SUCCESS',
      transactionId: '4200000000000000000000000001',
      timeEnd: '20260101120000',
    });
    for (let i = 0; i < 2; i += 1)
      expect(await paymentMain(paymentNotice(trade), platformContext('payment', null))).toEqual({
        errcode: 0,
        errmsg: '',
      });
    const refunds = await refundsOf(placed.id);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ reason: 'expired', amountFen: TOTAL, state: 'done' });
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'refunded', refundedFen: TOTAL });
    expect(trade.refunds.size).toBe(1);
  });
});

describe('orders ended by other paths', () => {
  it('an unpaid order cancelled without a hook (a round closing) gets its platform order closed by the timer', async () => {
    const r = fresh();
    const placed = await placeWechat(r);
    await t.ok(r.openid, 'order.pay', { orderId: placed.id });
    await t.db.collection('orders').doc(placed.id).update({ status: 'cancelled' });
    await payTimer(ctxAt(1000));
    const o = await orderDoc(placed.id);
    expect(o.pay?.state).toBe('closed');
    expect(cloudPayTrades().find((x) => x.outTradeNo === o.pay!.outTradeNo)?.state).toBe('CLOSED');
  });

  it('the dev endpoint pays over HTTP, as the preview does', async () => {
    const r = fresh();
    const placed = await placeWechat(r);
    await t.ok(r.openid, 'order.pay', { orderId: placed.id });
    const o = await orderDoc(placed.id);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (t.cloud.token) headers[DEV_TOKEN_HEADER] = t.cloud.token;
    const res = await fetch(`${t.cloud.url}/dev/pay/${o.pay!.outTradeNo}`, { method: 'POST', headers, body: '{}' });
    expect(res.status).toBe(200);
    expect((await orderDoc(placed.id)).pay?.state).toBe('paid');
    const list = (await (await fetch(`${t.cloud.url}/dev/pay`, { headers })).json()) as { data: { trades: unknown[] } };
    expect(list.data.trades.length).toBeGreaterThanOrEqual(1);
  });
});

describe('racing', () => {
  it('callbacks and syncs at once mark one payment; ends at once refund once', async () => {
    const r = fresh();
    const placed = await placeWechat(r);
    await t.ok(r.openid, 'order.pay', { orderId: placed.id });
    const o = await orderDoc(placed.id);
    await payInWechat(o.pay!.outTradeNo, { deliver: false });
    const trade = cloudPayTrades().find((x) => x.outTradeNo === o.pay!.outTradeNo)!;
    const results = await Promise.all([
      ...Array.from({ length: 4 }, () => handleNotification(ctxAt(), paymentNotice(trade))),
      t.call(r.openid, 'order.syncPayment', { orderId: placed.id }),
    ]);
    expect(results.slice(0, 4).filter((x) => x === 'paid').length).toBeLessThanOrEqual(1);
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'paid', transactionId: trade.transactionId });
    await t.ok(r.openid, 'order.cancel', { orderId: placed.id }, rid());
    await Promise.all([refundOnEnd(ctxAt(), placed.id), refundOnEnd(ctxAt(), placed.id), payTimer(ctxAt(1000))]);
    expect(await refundsOf(placed.id)).toHaveLength(1);
    expect(trade.refunds.size).toBe(1);
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'refunded', refundedFen: TOTAL });
  });
});

describe('forged and stray callbacks change nothing', () => {
  it('a mini-program user calling the function, an unpaid order claimed paid, an unknown order, a wrong amount', async () => {
    const r = fresh();
    const placed = await placeWechat(r);
    await t.ok(r.openid, 'order.pay', { orderId: placed.id });
    const o = await orderDoc(placed.id);
    const trade = cloudPayTrades().find((x) => x.outTradeNo === o.pay!.outTradeNo)!;
    const claim = { ...paymentNotice(trade), resultCode: 'SUCCESS', transactionId: '4200fake', totalFee: TOTAL };

    // Over HTTP, as a user (the way a page could): refused.
    const headers = { 'content-type': 'application/json', 'x-gridlink-user': r.openid } as Record<string, string>;
    if (t.cloud.token) headers[DEV_TOKEN_HEADER] = t.cloud.token;
    const http = await fetch(`${t.cloud.url}/fn/payment`, { method: 'POST', headers, body: JSON.stringify(claim) });
    expect(await http.json()).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN', errcode: 403 });
    // Anonymous, claiming paid: the platform says NOTPAY.
    const anon = { ...headers };
    delete anon['x-gridlink-user'];
    const http2 = await fetch(`${t.cloud.url}/fn/payment`, {
      method: 'POST',
      headers: anon,
      body: JSON.stringify(claim),
    });
    expect(await http2.json()).toEqual({ errcode: 0, errmsg: '' });
    expect(await handleNotification(ctxAt(), { ...claim, outTradeNo: 'GLunknownorder0000000000000P01' })).toBe(
      'unknown order',
    );
    expect(await handleNotification(ctxAt(), { hello: 'world' })).toBe('not a notification');
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'awaiting', transactionId: null });

    // Paid at the platform, but not the order's amount: never believed (and logged).
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    Object.assign(trade, {
      state: 'SUCCESS',
      transactionId: '4200000000000000000000000002',
      timeEnd: '20260101120000',
      totalFee: 1,
    });
    expect(await handleNotification(ctxAt(), paymentNotice(trade))).toBe('mismatch');
    expect(logged).toHaveBeenCalled();
    logged.mockRestore();
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'awaiting', transactionId: null });
  });
});

describe('refunds follow every change, exactly once', () => {
  it('a rejection refunds all of it, once, with the reason the resident sees', async () => {
    const { r, order } = await paidOrder();
    const gw = await gridworkerOf(r.household.gridId);
    await t.ok(gw, 'dispatch.review', { orderIds: [order._id], accept: false, reason: '本批次缺货' });
    await refundOnEnd(ctxAt(), order._id);
    await payTimer(ctxAt(120_000));
    const refunds = await refundsOf(order._id);
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({
      reason: 'rejected',
      amountFen: TOTAL,
      state: 'done',
      reasonText: '订单未受理：本批次缺货',
    });
    const view = await t.ok(r.openid, 'order.detail', { orderId: order._id });
    expect(view.pay).toMatchObject({ stateText: '已退款', refundedFen: TOTAL });
    expect(view.pay.refunds[0]).toMatchObject({ reasonLabel: '订单未受理', stateText: '已退款', refundId: null });
    expect(cloudPayTrades().find((x) => x.outTradeNo === order.pay!.outTradeNo)?.refunds.size).toBe(1);
    // The household is told once, with how much and why (the timer running again adds nothing).
    await payTimer(ctxAt(240_000));
    const told = (await t.db.collection('outbox').where({ openid: r.openid }).get()).data as Array<{
      data: Record<string, string>;
    }>;
    expect(told.filter((m) => m.data.note?.startsWith('已退款'))).toEqual([
      expect.objectContaining({
        data: expect.objectContaining({ note: `已退款¥${(TOTAL / 100).toFixed(2)}：订单未受理` }),
      }),
    ]);
  });

  it('a cancellation by the resident refunds all; an unpaid one only closes the platform order', async () => {
    const { r, order } = await paidOrder();
    await t.ok(r.openid, 'order.cancel', { orderId: order._id }, rid());
    expect(await refundsOf(order._id)).toEqual([expect.objectContaining({ reason: 'cancelled', amountFen: TOTAL })]);

    const r2 = fresh();
    const unpaid = await placeWechat(r2);
    await t.ok(r2.openid, 'order.pay', { orderId: unpaid.id });
    await t.ok(r2.openid, 'order.cancel', { orderId: unpaid.id }, rid());
    const o = await orderDoc(unpaid.id);
    expect(o.pay?.state).toBe('closed');
    expect(cloudPayTrades().find((x) => x.outTradeNo === o.pay!.outTradeNo)?.state).toBe('CLOSED');
    expect(await refundsOf(unpaid.id)).toHaveLength(0);
  });

  it('a failed delivery cancelled by the gridworker refunds what is left, reason 配送未成功', async () => {
    const { r, order } = await paidOrder();
    const gw = await gridworkerOf(r.household.gridId);
    await t.db
      .collection('orders')
      .doc(order._id)
      .update({
        status: 'failed',
        history: [...order.history, { status: 'failed', at: new Date().toISOString(), by: 'v' }],
      });
    await t.ok(gw, 'order.cancel', { orderId: order._id, reason: '联系不上' }, rid());
    expect(await refundsOf(order._id)).toEqual([
      expect.objectContaining({ reason: 'failedDelivery', amountFen: TOTAL }),
    ]);
  });

  it('a shortfall at the door refunds exactly the difference, once; a larger count only the new difference', async () => {
    const { order } = await paidOrder();
    const short = (counted: number) => [{ itemId: 'item-009', name: '土豆', unit: '斤', expected: 3, counted }];
    await t.db
      .collection('orders')
      .doc(order._id)
      .update({ status: 'delivered', shortfall: short(2) });
    await refundShortfall(ctxAt(), order._id);
    await refundShortfall(ctxAt(), order._id);
    expect((await refundsOf(order._id)).map((x) => x.amountFen)).toEqual([200]);
    await t.db
      .collection('orders')
      .doc(order._id)
      .update({ shortfall: short(0) });
    await refundShortfall(ctxAt(), order._id);
    const refunds = await refundsOf(order._id);
    expect(refunds.map((x) => x.amountFen).sort()).toEqual([200, 400]);
    expect((await orderDoc(order._id)).pay).toMatchObject({ state: 'partlyRefunded', refundedFen: 600 });
    // Cancelling what is left after a shortfall refunds the rest only.
    await t.db.collection('orders').doc(order._id).update({ status: 'cancelled' });
    await refundOnEnd(ctxAt(), order._id, 'cancelled');
    expect((await orderDoc(order._id)).pay).toMatchObject({ state: 'refunded', refundedFen: TOTAL });
  });

  it('end to end: counted short at the door by the volunteer, the difference goes back once', async () => {
    const { r, order } = await paidOrder();
    const gw = await gridworkerOf(r.household.gridId);
    const vol = `vol-pay-${order._id.slice(0, 6)}`;
    await t.db.collection('volunteers').add({
      _id: vol,
      communityId: r.household.communityId,
      gridIds: [r.household.gridId],
      status: 'approved',
      team: 'delivery',
      buildingIds: [],
      onDuty: true,
      capacityKg: 100,
      name: '志愿者',
    });
    await t.ok(gw, 'dispatch.review', { orderIds: [order._id], accept: true });
    await t.ok(gw, 'dispatch.run', { gridId: r.household.gridId });
    let o = await orderDoc(order._id);
    expect(o.jobId).toBeTruthy();
    const jobId = o.jobId as string;
    const holder =
      ((await t.db.collection('jobs').doc(jobId).get()).data[0] as { volunteerId: string | null }).volunteerId ??
      (await t.ok(vol, 'dispatch.grab', { jobId }), vol);
    await t.ok(holder, 'dispatch.pickUp', { jobId, counts: {} });
    const code = (await orderDoc(order._id)).handoverCode as string;
    const delivered = await t.ok(holder, 'dispatch.deliver', {
      jobId,
      orderId: order._id,
      code,
      counts: { 'item-009': 2 },
    });
    expect(delivered.shortfall).toHaveLength(1);
    // The same tap again answers the same and refunds nothing more.
    await t.call(holder, 'dispatch.deliver', { jobId, orderId: order._id, code, counts: { 'item-009': 2 } });
    const refunds = await refundsOf(order._id);
    expect(refunds).toEqual([
      expect.objectContaining({ reason: 'shortfall', amountFen: 200, reasonText: '缺货：土豆少1斤' }),
    ]);
    o = await orderDoc(order._id);
    expect(o.pay).toMatchObject({ state: 'partlyRefunded', refundedFen: 200 });
    const view = await t.ok(r.openid, 'order.detail', { orderId: order._id });
    expect(view.pay).toMatchObject({ stateText: '已部分退款', refundedFen: 200 });
  });

  it('a refund the platform refuses is retried with backoff until it goes through, still once', async () => {
    const { r, order } = await paidOrder();
    failCloudPay('cloudPay.refund', 1);
    await t.ok(r.openid, 'order.cancel', { orderId: order._id }, rid());
    let [refund] = await refundsOf(order._id);
    expect(refund).toMatchObject({ state: 'failed', attempts: 1 });
    const view = await t.ok(r.openid, 'order.detail', { orderId: order._id });
    expect(view.pay.refunds[0]).toMatchObject({ reasonLabel: '订单已取消', stateText: '退款失败，处理中' });
    await payTimer(ctxAt(1000)); // too early: backoff
    expect((await refundsOf(order._id))[0]?.attempts).toBe(1);
    await payTimer(ctxAt(5 * 60_000));
    [refund] = await refundsOf(order._id);
    expect(refund).toMatchObject({ state: 'done', attempts: 2 });
    expect(refund?.refundId).toBeTruthy();
    expect(cloudPayTrades().find((x) => x.outTradeNo === order.pay!.outTradeNo)?.refunds.size).toBe(1);
  });

  it('a refund the platform is still processing is confirmed by its notification (verified by queryRefund)', async () => {
    const { r, order } = await paidOrder();
    holdCloudPayRefunds(true);
    await t.ok(r.openid, 'order.cancel', { orderId: order._id }, rid());
    expect((await refundsOf(order._id))[0]?.state).toBe('processing');
    await handleDevPay('POST', '/dev/pay/settle-refunds', {});
    const delivered = await deliverNotifications({ repeat: 2 });
    expect(delivered).toHaveLength(2);
    expect((await refundsOf(order._id))[0]?.state).toBe('done');
  });
});

describe('who may pay and see', () => {
  it('another household can neither pay nor see; a pay link lets a relative pay and see only amount, items, masked room', async () => {
    const r = fresh();
    const other = fresh();
    const relative = 'relative-openid-1';
    const placed = await placeWechat(r);
    expect(await t.call(other.openid, 'order.pay', { orderId: placed.id })).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
    expect(await t.call(other.openid, 'order.syncPayment', { orderId: placed.id })).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
    expect(await t.call(other.openid, 'order.payLink', { orderId: placed.id })).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
    await t.ok(r.openid, 'order.pay', { orderId: placed.id });

    const link = await t.ok(r.openid, 'order.payLink', { orderId: placed.id });
    expect(link.path).toContain(`orderId=${placed.id}`);
    const card = await t.ok(relative, 'order.payCard', { orderId: placed.id, token: link.token });
    expect(card).toMatchObject({ totalFen: TOTAL, canPay: true, stateText: '待支付' });
    expect(card.roomMasked).not.toBe(r.household.room);
    expect(JSON.stringify(card)).not.toMatch(/phone|headName|householdId/);

    expect(await t.call(relative, 'order.payFor', { orderId: placed.id, token: 'A'.repeat(24) })).toMatchObject({
      ok: false,
      code: 'PAY.LINK_INVALID',
    });
    const params = await t.ok(relative, 'order.payFor', { orderId: placed.id, token: link.token });
    expect(params.totalFen).toBe(TOTAL);
    // The resident's prepay was closed; the relative's is the next platform order, for the relative.
    const o = await orderDoc(placed.id);
    expect(o.pay).toMatchObject({ attempt: 2, payerOpenid: relative });
    const trades = cloudPayTrades().filter((x) => x.attach === placed.id);
    expect(trades.map((x) => x.state).sort()).toEqual(['CLOSED', 'NOTPAY']);
    await payInWechat(o.pay!.outTradeNo);
    expect((await orderDoc(placed.id)).pay?.state).toBe('paid');
    expect(await t.call(relative, 'order.payFor', { orderId: placed.id, token: link.token })).toMatchObject({
      ok: false,
      code: 'ORDER.BAD_STATE',
    });
  });

  it("a gridworker's 代下单 order: the gridworker cannot pay it, but shares a pay link a relative pays through", async () => {
    const r = fresh();
    const gw = await gridworkerOf(r.household.gridId);
    const placed = await t.ok(
      gw,
      'order.place',
      { kind: 'grocery', lines: LINES, payment: 'wechatPay', contactless: true, forHouseholdId: r.household._id },
      rid(),
    );
    expect(placed.pay).toMatchObject({ state: 'awaiting', canPay: false });
    expect(await t.call(gw, 'order.pay', { orderId: placed.id })).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    const link = await t.ok(gw, 'order.payLink', { orderId: placed.id });
    await t.ok('relative-openid-2', 'order.payFor', { orderId: placed.id, token: link.token });
    await payInWechat((await orderDoc(placed.id)).pay!.outTradeNo);
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'paid', payerOpenid: 'relative-openid-2' });
  });

  it('an expired or replaced pay link is refused', async () => {
    const r = fresh();
    const placed = await placeWechat(r);
    const first = await t.ok(r.openid, 'order.payLink', { orderId: placed.id });
    const second = await t.ok(r.openid, 'order.payLink', { orderId: placed.id });
    expect(await t.call('someone', 'order.payCard', { orderId: placed.id, token: first.token })).toMatchObject({
      ok: false,
      code: 'PAY.LINK_INVALID',
    });
    await t.db
      .collection('orders')
      .doc(placed.id)
      .update({ 'pay.link.expiresAt': new Date(Date.now() - 1000).toISOString() });
    expect(await t.call('someone', 'order.payFor', { orderId: placed.id, token: second.token })).toMatchObject({
      ok: false,
      code: 'PAY.LINK_INVALID',
    });
  });
});
