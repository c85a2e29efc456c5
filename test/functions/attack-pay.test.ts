/** @jest-environment node */
/**
 * WeChat Pay (issue 19) probed from outside, as a hostile test suite would: every pay action called
 * over the local cloud's HTTP API by every role with other people's ids; the `payment` callback
 * forged anonymously (claims of payment, other merchants, old attempts, prototype keys, junk
 * bodies); the callback, the expiry sweeper and syncPayment racing; a refund whose platform call
 * went through but whose write was lost; the dev pay endpoints behind the dev token on the LAN.
 */
import { startLocalCloud, type LocalCloud } from '../../localcloud/app';
import { DEV_TOKEN_HEADER } from '../../localcloud/dev-token';
import {
  cloudPayTrades,
  holdCloudPayRefunds,
  paymentNotice,
  refund as platformRefund,
  resetCloudPay,
} from '../../localcloud/wechat/apis/cloudpay';
import { handleDevPay } from '../../localcloud/wechat/pay-notify';
import { outRefundNo } from '../../core/payment/ids';
import { PAY_TIMEOUT_MS } from '../../core/policy';
import { payTimer, refundLatePayment, refundOnEnd } from '../../server/lib/refunds';
import { settlePayment } from '../../server/lib/payments';
import type { CallContext } from '../../server/lib/define-function';
import type { Grid, HouseholdDoc, OrderDoc, RefundDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';
import { quotaUsed, stockOf } from '../helpers/shop';

let t: TestCloud;
let residents: Array<{ openid: string; household: HouseholdDoc }>;
let next = 0;
let seq = 0;
const rid = () => `atk-pay-${String((seq += 1)).padStart(8, '0')}`;
const CHINESE = /[\u4e00-\u9fa5]/;

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 2, households: 60, joinedShare: 1, at: new Date() } });
  const households = (await t.db.collection('households').orderBy('_id', 'asc').limit(1000).get())
    .data as HouseholdDoc[];
  residents = households
    .filter((h) => h.memberOpenids.length > 0)
    .map((h) => ({ openid: h.memberOpenids[0] as string, household: h }));
  // An admin of another community, and a volunteer of 第1网格 (no job, no household).
  await t.db.collection('users').add({
    _id: 'atk-admin-elsewhere',
    nickName: '别的社区管理员',
    roles: ['communityAdmin'],
    communityId: 'c-elsewhere',
    adminGridIds: [],
    householdId: null,
    createdAt: new Date().toISOString(),
  });
  await t.db.collection('users').add({
    _id: 'atk-volunteer',
    nickName: '志愿者',
    roles: ['volunteer'],
    communityId: 'c-xingfu',
    adminGridIds: [],
    householdId: null,
    createdAt: new Date().toISOString(),
  });
}, 60_000);
afterAll(() => t.close());
afterEach(() => {
  resetCloudPay();
  jest.restoreAllMocks();
});

const fresh = () => residents[(next += 1)] as { openid: string; household: HouseholdDoc };
const LINES = [
  { itemId: 'item-009', qty: 3 },
  { itemId: 'item-006', qty: 2 },
];
const TOTAL = 3 * 200 + 2 * 650;

function headers(openid: string | null): Record<string, string> {
  const h: Record<string, string> = { 'content-type': 'application/json' };
  if (openid) h['x-gridlink-user'] = openid;
  if (t.cloud.token) h[DEV_TOKEN_HEADER] = t.cloud.token;
  return h;
}

/** An action over HTTP, as a page (or anyone with curl) calls it. */
async function http(openid: string | null, action: string, payload: unknown, requestId?: string): Promise<any> {
  const fn = action.split('.')[0] as string;
  const res = await fetch(`${t.cloud.url}/fn/${fn}`, {
    method: 'POST',
    headers: headers(openid),
    body: JSON.stringify({ action, payload, requestId }),
  });
  expect(res.status).toBe(200);
  return res.json();
}

/** A raw body to the payment callback, anonymously (the way only the platform should). */
async function callback(body: string, openid: string | null = null): Promise<{ status: number; json: any }> {
  const res = await fetch(`${t.cloud.url}/fn/payment`, { method: 'POST', headers: headers(openid), body });
  return { status: res.status, json: await res.json() };
}

/** A refusal: not ok, a specific code (never COMMON.INTERNAL), a Chinese message, no data. */
function refused(res: any, code?: string | RegExp) {
  expect(res.ok).toBe(false);
  expect(res.code).not.toBe('COMMON.INTERNAL');
  if (typeof code === 'string') expect(res.code).toBe(code);
  else if (code) expect(res.code).toMatch(code);
  expect(res.message).toMatch(CHINESE);
  expect(res.data).toBeUndefined();
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
  invocationId: `atk-${ms}-${Math.random()}`,
});

async function placeWechat(r: { openid: string }) {
  const res = await http(
    r.openid,
    'order.place',
    { kind: 'grocery', lines: LINES, payment: 'wechatPay', contactless: true },
    rid(),
  );
  expect(res).toMatchObject({ ok: true });
  return res.data as { id: string };
}

async function payAtPlatform(outTradeNo: string, deliver = false) {
  const answer = await handleDevPay('POST', `/dev/pay/${outTradeNo}`, { deliver });
  expect(answer?.status).toBe(200);
  return (answer?.body as { data: { transactionId: string } }).data;
}

async function paidOrder() {
  const r = fresh();
  const placed = await placeWechat(r);
  expect(await http(r.openid, 'order.pay', { orderId: placed.id })).toMatchObject({ ok: true });
  const o = await orderDoc(placed.id);
  await payAtPlatform(o.pay!.outTradeNo);
  expect(await http(r.openid, 'order.syncPayment', { orderId: placed.id })).toMatchObject({
    ok: true,
    data: { state: 'paid' },
  });
  return { r, order: await orderDoc(placed.id) };
}

describe('every role probing the pay actions with other people’s ids', () => {
  it('refuses clearly, in Chinese, with no data; only the household pays, its grid’s staff only looks', async () => {
    const owner = [...residents].reverse().find((x) => x.household.gridId === 'g-01')!;
    const other = residents.find((x) => x.household.gridId === 'g-01' && x !== owner)!;
    const placed = await placeWechat(owner);
    const gwHere = await gridworkerOf('g-01');
    const gwThere = await gridworkerOf('g-02');
    const strangers: Array<[string | null, string | RegExp]> = [
      [other.openid, 'COMMON.NOT_FOUND'],
      ['atk-volunteer', 'COMMON.NOT_FOUND'],
      [gwThere, 'COMMON.NOT_FOUND'],
      ['atk-admin-elsewhere', 'COMMON.NOT_FOUND'],
      ['atk-visitor-never-seen', 'COMMON.NOT_FOUND'],
      [null, /^AUTH\./],
    ];
    for (const [who, code] of strangers) {
      for (const action of ['order.pay', 'order.syncPayment', 'order.payLink'])
        refused(await http(who, action, { orderId: placed.id }), code);
    }
    // The grid's gridworker sees the state but neither pays nor shares a link for a resident's own order.
    refused(await http(gwHere, 'order.pay', { orderId: placed.id }), 'AUTH.FORBIDDEN');
    refused(await http(gwHere, 'order.payLink', { orderId: placed.id }), 'AUTH.FORBIDDEN');
    expect(await http(gwHere, 'order.syncPayment', { orderId: placed.id })).toMatchObject({
      ok: true,
      data: { state: 'awaiting' },
    });
    // The admin of the order's own community, not being the household, cannot pay it either.
    refused(await http('dev-admin', 'order.pay', { orderId: placed.id }), 'AUTH.FORBIDDEN');

    // A pay link works only with its token and only for its order.
    const link = (await http(owner.openid, 'order.payLink', { orderId: placed.id })).data;
    const otherPlaced = await placeWechat(other);
    for (const who of [null, 'atk-visitor-2', gwThere]) {
      refused(
        await http(who, 'order.payCard', { orderId: otherPlaced.id, token: link.token }),
        /^(PAY\.LINK_INVALID|AUTH\.)/,
      );
      refused(
        await http(who, 'order.payFor', { orderId: otherPlaced.id, token: link.token }),
        /^(PAY\.LINK_INVALID|AUTH\.)/,
      );
    }
    refused(
      await http('atk-visitor-2', 'order.payCard', { orderId: placed.id, token: `${link.token}x` }),
      'PAY.LINK_INVALID',
    );
    refused(
      await http('atk-visitor-2', 'order.payFor', { orderId: placed.id, token: 'short' }),
      'COMMON.INVALID_INPUT',
    );
    // A cash order has no pay link at all.
    const cash = await http(
      other.openid,
      'order.place',
      { kind: 'grocery', lines: [{ itemId: 'item-009', qty: 1 }], payment: 'cashOnDelivery', contactless: true },
      rid(),
    );
    refused(await http(other.openid, 'order.pay', { orderId: cash.data.id }), 'ORDER.BAD_STATE');
    refused(
      await http('atk-visitor-2', 'order.payCard', { orderId: cash.data.id, token: link.token }),
      'PAY.LINK_INVALID',
    );
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'awaiting', transactionId: null });
  });

  it('odd ids and payloads are refused as input, never as an internal error', async () => {
    const r = fresh();
    const ids: unknown[] = [
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      '',
      'x'.repeat(5000),
      42,
      null,
      ['o'],
      { $ne: null },
    ];
    for (const orderId of ids)
      for (const action of ['order.pay', 'order.syncPayment', 'order.payLink', 'order.payCard', 'order.payFor']) {
        const payload =
          action === 'order.payCard' || action === 'order.payFor' ? { orderId, token: 'A'.repeat(24) } : { orderId };
        refused(await http(r.openid, action, payload), /^(COMMON\.(INVALID_INPUT|NOT_FOUND)|PAY\.LINK_INVALID)$/);
      }
    refused(await http(r.openid, 'order.pay', { orderId: 'o-1', paid: true }), 'COMMON.INVALID_INPUT');
    refused(await http(r.openid, 'order.syncPayment', { orderId: 'o-1', state: 'paid' }), 'COMMON.INVALID_INPUT');
  });
});

describe('forged callbacks over HTTP', () => {
  it('a claim of payment, an old attempt, another merchant, prototype keys and junk change nothing', async () => {
    const logged = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const r = fresh();
    const placed = await placeWechat(r);
    await http(r.openid, 'order.pay', { orderId: placed.id });
    const o = await orderDoc(placed.id);
    const trade = cloudPayTrades().find((x) => x.outTradeNo === o.pay!.outTradeNo)!;
    const claim = { ...paymentNotice(trade), transactionId: '4200000000000000000000000099', timeEnd: '20260101120000' };

    // The platform says NOTPAY: the claim is answered (so it is not retried) and believed in nothing.
    for (let i = 0; i < 3; i += 1)
      expect((await callback(JSON.stringify(claim))).json).toEqual({ errcode: 0, errmsg: '' });
    // As a mini-program user: refused outright.
    expect((await callback(JSON.stringify(claim), r.openid)).json).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    // Prototype keys carrying the order number, at the top and inside reqInfo.
    const proto = `{"__proto__":{"outTradeNo":"${o.pay!.outTradeNo}","outRefundNo":"x"},"constructor":{"prototype":{"outTradeNo":"${o.pay!.outTradeNo}"}},"reqInfo":{"__proto__":{"outRefundNo":"GRx"}}}`;
    const protoAnswer = await callback(proto);
    expect(protoAnswer.status).toBe(200);
    expect(protoAnswer.json.code).not.toBe('COMMON.INTERNAL');
    expect(({} as Record<string, unknown>).outTradeNo).toBeUndefined();
    // Junk bodies: arrays, scalars, nulls, huge or odd numbers.
    for (const body of [
      '[]',
      '[1,2]',
      '"paid"',
      '42',
      'null',
      'true',
      '{"outTradeNo":42}',
      '{"outTradeNo":["a"]}',
      `{"outTradeNo":"${'9'.repeat(200)}"}`,
      '{"reqInfo":"x"}',
      '{"reqInfo":null,"outRefundNo":{"a":1}}',
    ]) {
      const a = await callback(body);
      expect(a.status).toBe(200);
      expect(a.json.code).not.toBe('COMMON.INTERNAL');
      expect(a.json.errcode === 0 || a.json.code === 'COMMON.INVALID_INPUT').toBe(true);
    }
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'awaiting', transactionId: null });

    // The resident moves to a second attempt (a relative pays): the first number is closed at the platform.
    const link = (await http(r.openid, 'order.payLink', { orderId: placed.id })).data;
    expect(await http('atk-relative-1', 'order.payFor', { orderId: placed.id, token: link.token })).toMatchObject({
      ok: true,
    });
    const o2 = await orderDoc(placed.id);
    expect(o2.pay!.attempt).toBe(2);
    // A forged "paid" for the closed first attempt: nothing.
    expect((await callback(JSON.stringify(claim))).json).toEqual({ errcode: 0, errmsg: '' });
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'awaiting', transactionId: null });

    // Paid at the platform, but to another merchant (as the query answers it): never believed.
    const trade2 = cloudPayTrades().find((x) => x.outTradeNo === o2.pay!.outTradeNo)!;
    Object.assign(trade2, {
      state: 'SUCCESS',
      transactionId: '4200000000000000000000000098',
      timeEnd: '20260101120000',
      subMchId: '1900009999',
    });
    expect((await callback(JSON.stringify(paymentNotice(trade2)))).json).toEqual({ errcode: 0, errmsg: '' });
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'awaiting', transactionId: null });
    // Right merchant, wrong amount: never believed either.
    Object.assign(trade2, { subMchId: '1900000109', totalFee: TOTAL - 1 });
    expect((await callback(JSON.stringify(paymentNotice(trade2)))).json).toEqual({ errcode: 0, errmsg: '' });
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'awaiting', transactionId: null });
    // The real thing: paid once, whatever the repeats.
    trade2.totalFee = TOTAL;
    await Promise.all(Array.from({ length: 6 }, () => callback(JSON.stringify(paymentNotice(trade2)))));
    expect((await orderDoc(placed.id)).pay).toMatchObject({
      state: 'paid',
      transactionId: '4200000000000000000000000098',
    });
    expect(logged).toHaveBeenCalled();
  });

  it('a refund notification before the platform finished, or for a refund we never made, confirms nothing', async () => {
    const { r, order } = await paidOrder();
    holdCloudPayRefunds(true);
    expect(await http(r.openid, 'order.cancel', { orderId: order._id }, rid())).toMatchObject({ ok: true });
    const [refund] = await refundsOf(order._id);
    expect(refund).toMatchObject({ state: 'processing', amountFen: TOTAL });
    const forged = {
      returnCode: 'SUCCESS',
      reqInfo: { outRefundNo: refund!._id, refundStatus: 'SUCCESS', refundFee: TOTAL },
    };
    for (let i = 0; i < 3; i += 1)
      expect((await callback(JSON.stringify(forged))).json).toEqual({ errcode: 0, errmsg: '' });
    expect((await refundsOf(order._id))[0]).toMatchObject({ state: 'processing', doneAt: null });
    const unknown = { reqInfo: { outRefundNo: 'GR000000000000000000000000C', refundStatus: 'SUCCESS' } };
    expect((await callback(JSON.stringify(unknown))).json).toEqual({ errcode: 0, errmsg: '' });
    expect(await t.db.collection('refunds').doc('GR000000000000000000000000C').get()).toMatchObject({ data: [] });
  });
});

describe('racing: callback, expiry sweeper and syncPayment at the same instant', () => {
  it('paid at the platform: the order is kept paid, never cancelled, stock and quota not released', async () => {
    // Other tests' unpaid orders expire first, so the stock counted here is this order's alone.
    await payTimer(ctxAt(PAY_TIMEOUT_MS + 60_000));
    const r = fresh();
    const stock = await stockOf(t, 'item-009');
    const placed = await placeWechat(r);
    const used = await quotaUsed(t, r.household._id);
    await http(r.openid, 'order.pay', { orderId: placed.id });
    const o = await orderDoc(placed.id);
    await payAtPlatform(o.pay!.outTradeNo);
    const trade = cloudPayTrades().find((x) => x.outTradeNo === o.pay!.outTradeNo)!;
    const late = PAY_TIMEOUT_MS + 60_000;
    await Promise.all([
      ...Array.from({ length: 5 }, () => callback(JSON.stringify(paymentNotice(trade)))),
      ...Array.from({ length: 3 }, () => payTimer(ctxAt(late))),
      ...Array.from({ length: 3 }, () => http(r.openid, 'order.syncPayment', { orderId: placed.id })),
    ]);
    const after = await orderDoc(placed.id);
    expect(after.status).toBe('submitted');
    expect(after.pay).toMatchObject({ state: 'paid', transactionId: trade.transactionId, refundedFen: 0 });
    expect(await stockOf(t, 'item-009')).toBe(stock - 3);
    expect(await quotaUsed(t, r.household._id)).toEqual(used);
    expect(await refundsOf(placed.id)).toHaveLength(0);
  });

  it('not paid: cancelled once by the sweeper, stock and quota given back exactly once', async () => {
    // Other tests' unpaid orders expire first, so the stock counted here is this order's alone.
    await payTimer(ctxAt(PAY_TIMEOUT_MS + 60_000));
    const r = fresh();
    const stock = await stockOf(t, 'item-009');
    const usedBefore = await quotaUsed(t, r.household._id);
    const placed = await placeWechat(r);
    await http(r.openid, 'order.pay', { orderId: placed.id });
    const o = await orderDoc(placed.id);
    const trade = cloudPayTrades().find((x) => x.outTradeNo === o.pay!.outTradeNo)!;
    const late = PAY_TIMEOUT_MS + 60_000;
    await Promise.all([
      ...Array.from({ length: 4 }, () => callback(JSON.stringify(paymentNotice(trade)))),
      ...Array.from({ length: 4 }, () => payTimer(ctxAt(late))),
      ...Array.from({ length: 3 }, () => http(r.openid, 'order.syncPayment', { orderId: placed.id })),
    ]);
    const after = await orderDoc(placed.id);
    expect(after.status).toBe('cancelled');
    expect(after.pay?.state).toBe('closed');
    expect(after.history.filter((h) => h.status === 'cancelled')).toHaveLength(1);
    expect(await stockOf(t, 'item-009')).toBe(stock);
    expect((await quotaUsed(t, r.household._id))['item-009'] ?? 0).toBe(usedBefore['item-009'] ?? 0);
    // The platform order is closed: nobody can pay it now.
    expect(trade.state).toBe('CLOSED');
    const payLate = await handleDevPay('POST', `/dev/pay/${o.pay!.outTradeNo}`, {});
    expect(payLate?.status).toBe(400);
  });

  it('unpaid at expiry while the resident cancels and the gridworker rejects: one end, stock and quota back once', async () => {
    await payTimer(ctxAt(PAY_TIMEOUT_MS + 60_000));
    const r = fresh();
    const gw = await gridworkerOf(r.household.gridId);
    const stock = await stockOf(t, 'item-009');
    const usedBefore = await quotaUsed(t, r.household._id);
    const placed = await placeWechat(r);
    await http(r.openid, 'order.pay', { orderId: placed.id });
    const o = await orderDoc(placed.id);
    const trade = cloudPayTrades().find((x) => x.outTradeNo === o.pay!.outTradeNo)!;
    const answers = await Promise.all([
      http(r.openid, 'order.cancel', { orderId: placed.id }, rid()),
      http(r.openid, 'order.cancel', { orderId: placed.id }, rid()),
      http(gw, 'dispatch.review', { orderIds: [placed.id], accept: false, reason: '缺货' }),
      payTimer(ctxAt(PAY_TIMEOUT_MS + 60_000)),
      payTimer(ctxAt(PAY_TIMEOUT_MS + 60_000)),
      callback(JSON.stringify(paymentNotice(trade))),
    ]);
    for (const a of answers.slice(0, 3) as any[]) if (!a.ok) expect(a.code).not.toBe('COMMON.INTERNAL');
    const after = await orderDoc(placed.id);
    expect(['cancelled', 'rejected']).toContain(after.status);
    expect(after.history.filter((h) => h.status === 'cancelled' || h.status === 'rejected')).toHaveLength(1);
    expect(after.pay?.state).toBe('closed');
    expect(trade.state).toBe('CLOSED');
    expect(await stockOf(t, 'item-009')).toBe(stock);
    expect((await quotaUsed(t, r.household._id))['item-009'] ?? 0).toBe(usedBefore['item-009'] ?? 0);
    expect(await refundsOf(placed.id)).toHaveLength(0);
  });

  it('paid while the resident cancels: the money is never both kept and the order cancelled', async () => {
    for (let round = 0; round < 4; round += 1) {
      const r = fresh();
      const placed = await placeWechat(r);
      await http(r.openid, 'order.pay', { orderId: placed.id });
      const o = await orderDoc(placed.id);
      await payAtPlatform(o.pay!.outTradeNo);
      const trade = cloudPayTrades().find((x) => x.outTradeNo === o.pay!.outTradeNo)!;
      await Promise.all([
        http(r.openid, 'order.cancel', { orderId: placed.id }, rid()),
        ...Array.from({ length: 3 }, () => callback(JSON.stringify(paymentNotice(trade)))),
        http(r.openid, 'order.syncPayment', { orderId: placed.id }),
      ]);
      // No timer has run: whatever path won, a cancelled order has its money on the way back, once.
      const after = await orderDoc(placed.id);
      if (after.status === 'cancelled') {
        expect(after.pay?.state).toBe('refunded');
        expect(after.pay?.refundedFen).toBe(TOTAL);
        expect(await refundsOf(placed.id)).toHaveLength(1);
        expect(trade.refunds.size).toBe(1);
      } else {
        expect(after.pay?.state).toBe('paid');
      }
      await payTimer(ctxAt(1000));
      expect(trade.refunds.size).toBeLessThanOrEqual(1);
    }
  });
  it('a payment settled from a snapshot read before a cancel landed refunds at once, once', async () => {
    const r = fresh();
    const placed = await placeWechat(r);
    await http(r.openid, 'order.pay', { orderId: placed.id });
    const stale = await orderDoc(placed.id);
    await payAtPlatform(stale.pay!.outTradeNo);
    // The cancel's write lands (its refund hook has not run yet) …
    await t.db.collection('orders').doc(placed.id).update({ status: 'cancelled' });
    // … while a callback settles from the order it read before.
    expect((await settlePayment(ctxAt(), stale, refundLatePayment)).result).toBe('paid');
    const trade = cloudPayTrades().find((x) => x.outTradeNo === stale.pay!.outTradeNo)!;
    expect(trade.refunds.size).toBe(1);
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'refunded', refundedFen: TOTAL });
    // The hook then runs: nothing more.
    await refundOnEnd(ctxAt(), placed.id);
    expect(trade.refunds.size).toBe(1);
    expect(await refundsOf(placed.id)).toHaveLength(1);
  });
});

describe('crashes and anomalies caught by the timer, once', () => {
  it('a cancel whose refund hook never ran is refunded once by racing timers', async () => {
    const { order } = await paidOrder();
    // The cancel's write landed; the process died before its hook.
    await t.db.collection('orders').doc(order._id).update({ status: 'cancelled' });
    await Promise.all([payTimer(ctxAt(1000)), payTimer(ctxAt(1000)), payTimer(ctxAt(2000))]);
    const trade = cloudPayTrades().find((x) => x.outTradeNo === order.pay!.outTradeNo)!;
    expect(trade.refunds.size).toBe(1);
    expect(await refundsOf(order._id)).toHaveLength(1);
    expect((await orderDoc(order._id)).pay).toMatchObject({ state: 'refunded', refundedFen: TOTAL });
  });

  it('money the platform reports for an order already expired is refunded whole once, whatever races', async () => {
    await payTimer(ctxAt(PAY_TIMEOUT_MS + 60_000));
    const r = fresh();
    const stock = await stockOf(t, 'item-009');
    const placed = await placeWechat(r);
    await http(r.openid, 'order.pay', { orderId: placed.id });
    await payTimer(ctxAt(PAY_TIMEOUT_MS + 60_000));
    const o = await orderDoc(placed.id);
    expect(o).toMatchObject({ status: 'cancelled', pay: { state: 'closed' } });
    expect(await stockOf(t, 'item-009')).toBe(stock);
    // The platform says it took the money after all (a payment in flight when the order closed).
    const trade = cloudPayTrades().find((x) => x.outTradeNo === o.pay!.outTradeNo)!;
    Object.assign(trade, {
      state: 'SUCCESS',
      transactionId: '4200000000000000000000000077',
      timeEnd: '20260101120000',
    });
    await Promise.all([
      ...Array.from({ length: 4 }, () => callback(JSON.stringify(paymentNotice(trade)))),
      payTimer(ctxAt(PAY_TIMEOUT_MS + 120_000)),
      payTimer(ctxAt(PAY_TIMEOUT_MS + 120_000)),
      http(r.openid, 'order.syncPayment', { orderId: placed.id }),
    ]);
    await payTimer(ctxAt(PAY_TIMEOUT_MS + 600_000));
    expect(trade.refunds.size).toBe(1);
    expect([...trade.refunds.values()][0]?.refundFee).toBe(TOTAL);
    const after = await orderDoc(placed.id);
    expect(after).toMatchObject({ status: 'cancelled', pay: { state: 'refunded', refundedFen: TOTAL } });
    expect(await stockOf(t, 'item-009')).toBe(stock);
    // Nobody can pay it again.
    refused(await http(r.openid, 'order.pay', { orderId: placed.id }), /^(PAY\.EXPIRED|ORDER\.BAD_STATE)$/);
    refused(await http(r.openid, 'order.payLink', { orderId: placed.id }), /^(PAY\.EXPIRED|ORDER\.BAD_STATE)$/);
  });

  it('callbacks naming prototype keys as order or refund numbers are answered, nothing read as data', async () => {
    for (const no of ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__']) {
      for (const body of [{ outTradeNo: no }, { outRefundNo: no }, { reqInfo: { outRefundNo: no, outTradeNo: no } }]) {
        const a = await callback(JSON.stringify(body));
        expect(a.status).toBe(200);
        expect(a.json).toEqual({ errcode: 0, errmsg: '' });
      }
    }
  });
});

describe('payers racing for one order', () => {
  it('the household and relatives asking to pay at once leave at most one open platform order, paid once', async () => {
    const r = fresh();
    const placed = await placeWechat(r);
    const link = (await http(r.openid, 'order.payLink', { orderId: placed.id })).data;
    const answers = await Promise.all([
      http(r.openid, 'order.pay', { orderId: placed.id }),
      ...['atk-rel-a', 'atk-rel-b', 'atk-rel-c'].map((who) =>
        http(who, 'order.payFor', { orderId: placed.id, token: link.token }),
      ),
      http(r.openid, 'order.pay', { orderId: placed.id }),
    ]);
    for (const a of answers) {
      if (!a.ok) expect(a.code).toMatch(/^(PAY\.UNAVAILABLE|ORDER\.BAD_STATE|COMMON\.CONFLICT)$/);
    }
    const trades = () => cloudPayTrades().filter((x) => x.attach === placed.id);
    expect(trades().filter((x) => x.state === 'NOTPAY').length).toBeLessThanOrEqual(1);
    // Every payer tries to pay what they were given: only an open platform order takes money.
    for (const x of trades()) await handleDevPay('POST', `/dev/pay/${x.outTradeNo}`, {});
    expect(trades().filter((x) => x.state === 'SUCCESS').length).toBeLessThanOrEqual(1);
    // Whoever lost the race asks again: the order's current platform order, paid once.
    if (!trades().some((x) => x.state === 'SUCCESS')) {
      expect(await http(r.openid, 'order.pay', { orderId: placed.id })).toMatchObject({ ok: true });
      await handleDevPay('POST', `/dev/pay/${(await orderDoc(placed.id)).pay!.outTradeNo}`, {});
    }
    expect(trades().filter((x) => x.state === 'SUCCESS').length).toBe(1);
    const paid = trades().find((x) => x.state === 'SUCCESS')!;
    expect((await orderDoc(placed.id)).pay).toMatchObject({ state: 'paid', transactionId: paid.transactionId });
  });
});

describe('a refund cut short between the platform and our write', () => {
  it('the platform refunded under the deterministic number before our write: asked again, never refunded twice', async () => {
    const { r, order } = await paidOrder();
    const no = outRefundNo(order._id, 'cancelled', order.pay!.outTradeNo);
    // The platform call of a crashed run went through (same number, same amount) …
    const direct = platformRefund(
      {
        sub_mch_id: '1900000109',
        nonce_str: 'n1',
        out_trade_no: order.pay!.outTradeNo,
        out_refund_no: no,
        total_fee: TOTAL,
        refund_fee: TOTAL,
      },
      { now: new Date() } as never,
    );
    expect(direct).toMatchObject({ resultCode: 'SUCCESS' });
    // … then the cancel runs (again) and the timer retries.
    expect(await http(r.openid, 'order.cancel', { orderId: order._id }, rid())).toMatchObject({ ok: true });
    await payTimer(ctxAt(120_000));
    const trade = cloudPayTrades().find((x) => x.outTradeNo === order.pay!.outTradeNo)!;
    expect(trade.refunds.size).toBe(1);
    expect((await refundsOf(order._id)).map((x) => [x._id, x.state])).toEqual([[no, 'done']]);
    expect((await orderDoc(order._id)).pay).toMatchObject({ state: 'refunded', refundedFen: TOTAL });
  });

  it('our write after a successful platform refund was lost: the retries refund nothing more', async () => {
    const { r, order } = await paidOrder();
    expect(await http(r.openid, 'order.cancel', { orderId: order._id }, rid())).toMatchObject({ ok: true });
    const [done] = await refundsOf(order._id);
    expect(done?.state).toBe('done');
    // As if the process died after cloudPay.refund answered and before the refund's write.
    await t.db
      .collection('refunds')
      .doc(done!._id)
      .update({
        state: 'pending',
        refundId: null,
        attempts: 0,
        doneAt: null,
        nextAttemptAt: new Date(0).toISOString(),
      });
    await Promise.all([payTimer(ctxAt(1000)), payTimer(ctxAt(1000)), refundOnEnd(ctxAt(), order._id)]);
    await payTimer(ctxAt(600_000));
    const trade = cloudPayTrades().find((x) => x.outTradeNo === order.pay!.outTradeNo)!;
    expect(trade.refunds.size).toBe(1);
    expect([...trade.refunds.values()][0]?.refundFee).toBe(TOTAL);
    expect((await refundsOf(order._id)).map((x) => x.state)).toEqual(['done']);
    expect((await orderDoc(order._id)).pay).toMatchObject({ state: 'refunded', refundedFen: TOTAL });
  });
});

describe('the dev pay endpoints on the LAN', () => {
  let lan: LocalCloud;
  beforeAll(async () => {
    lan = await startLocalCloud({ dataDir: null, port: 0, host: '0.0.0.0', seed: false });
  });
  afterAll(() => lan.close());

  it('refuse every request without the dev token, so nobody on the network marks a trade paid', async () => {
    for (const [method, path] of [
      ['POST', '/dev/pay/GL00000000000000000000000000P01'],
      ['POST', '/dev/pay/deliver'],
      ['POST', '/dev/pay/settle-refunds'],
      ['GET', '/dev/pay'],
      ['POST', '/fn/payment'],
    ] as const) {
      const res = await fetch(`${lan.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', [DEV_TOKEN_HEADER]: 'not-the-token-0000000000' },
        body: method === 'POST' ? '{}' : undefined,
      });
      expect(res.status).toBe(401);
    }
  });
});
