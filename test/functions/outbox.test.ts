/** @jest-environment node */
/**
 * Sending the outbox through WeChat's `subscribeMessage.send` (the local stand-in, reached through
 * the SDK as on CloudBase): each errcode path, the backoff, the grant spent only on success, two
 * drains at once sending each message once, a drain that died mid-send, and the admin's view.
 */
import { clearWxCalls, wxCalls } from '../../localcloud/wechat';
import { runTimer } from '../../localcloud/invoke';
import {
  addWxTemplate,
  clearSubscribeFaults,
  failSubscribeSend,
  removeWxTemplate,
} from '../../localcloud/wechat/apis/subscribe-message';
import { resetCloudApp } from '../../server/lib/cloud';
import type { CallContext } from '../../server/lib/define-function';
import {
  BACKOFF_CAP_MS,
  drainOutbox,
  enqueue,
  MAX_ATTEMPTS,
  orderStatusMessages,
  SENDING_LEASE_MS,
  type OutgoingMessage,
} from '../../server/lib/outbox';
import { callWx } from '../../server/lib/wechat';
import type { OutboxDoc, UserDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud();
});
afterAll(() => t.close());
beforeEach(() => {
  clearWxCalls();
  clearSubscribeFaults();
});

const T0 = new Date('2022-08-20T02:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const ctxAt = (now: Date): CallContext => ({ caller: null, requestId: null, now, db: t.db, invocationId: 'test' });

let n = 0;
/** A fresh user with these grants (in community c-test unless told). */
async function user(grants: UserDoc['subscriptions'] = {}, more: Partial<UserDoc> = {}): Promise<string> {
  n += 1;
  const openid = `ob-user-${n}`;
  await t.db.collection('users').add({
    _id: openid,
    nickName: `测试${n}`,
    roles: ['resident'],
    communityId: 'c-test',
    ...more,
    adminGridIds: [],
    householdId: null,
    subscriptions: grants,
    createdAt: T0.toISOString(),
  } satisfies UserDoc);
  return openid;
}

const orderMsg = (openid: string, page?: string): OutgoingMessage => ({
  ...(orderStatusMessages(
    [openid],
    { id: 'ord-1', lines: [{ name: '土豆' }] },
    'cancelled',
    '气站今日停供',
  )[0] as OutgoingMessage),
  ...(page ? { page } : {}),
});

async function messagesOf(openid: string): Promise<OutboxDoc[]> {
  return (await t.db.collection('outbox').where({ openid }).get()).data as OutboxDoc[];
}
async function one(openid: string): Promise<OutboxDoc> {
  const [m] = await messagesOf(openid);
  if (!m) throw new Error(`no message for ${openid}`);
  return m;
}
async function grants(openid: string): Promise<{ left: number; held: number }> {
  const u = (await t.db.collection('users').doc(openid).get()).data[0] as UserDoc;
  return { left: u.subscriptions?.orderStatus ?? 0, held: u.subscriptionsHeld?.orderStatus ?? 0 };
}
const sendsTo = (openid: string) =>
  wxCalls('subscribeMessage.send').filter((c) => (c.request as { touser?: string }).touser === openid);

describe('sending', () => {
  it('sends with the template keys, marks it sent, spends the grant', async () => {
    const u = await user({ orderStatus: 2 });
    await enqueue(ctxAt(T0), [orderMsg(u)]);
    expect(await one(u)).toMatchObject({ status: 'queued', attempts: 0, communityId: 'c-test', sentAt: null });
    const res = await drainOutbox(ctxAt(at(1000)));
    expect(res.sent).toBeGreaterThanOrEqual(1);
    expect(await one(u)).toMatchObject({ status: 'sent', attempts: 1, errcode: 0, error: null, grantHeld: false });
    expect((await one(u)).sentAt).toBe(at(1000).toISOString());
    expect(await grants(u)).toEqual({ left: 1, held: 0 });
    const [call] = sendsTo(u);
    expect(call).toMatchObject({ errcode: 0 });
    expect(call?.request).toEqual({
      touser: u,
      template_id: 'local-tpl-order-status',
      page: 'pages/resident/order-detail/index?id=ord-1',
      data: {
        thing1: { value: '土豆' },
        phrase2: { value: '已取消' },
        time3: { value: '2022年8月20日 10:00' },
        thing4: { value: '气站今日停供' },
      },
      miniprogram_state: 'developer',
      lang: 'zh_CN',
    });
  });

  it('runs from the order function’s timer, through the SDK', async () => {
    const u = await user({ orderStatus: 1 });
    await enqueue(ctxAt(new Date(Date.now() - 1000)), [orderMsg(u)]);
    const res = (await runTimer('order', 'everyMinute')) as { ok?: boolean; data?: { sent?: { sent: number } } };
    expect(res.data?.sent?.sent).toBeGreaterThanOrEqual(1);
    expect(await one(u)).toMatchObject({ status: 'sent' });
  });

  it('never calls WeChat for a user without a grant: failed with the reason', async () => {
    const u = await user({});
    await enqueue(ctxAt(T0), [orderMsg(u)]);
    await drainOutbox(ctxAt(at(1000)));
    expect(await one(u)).toMatchObject({ status: 'failed', error: '用户未订阅此消息或订阅次数已用完' });
    expect(sendsTo(u)).toEqual([]);
  });

  it('fails messages that cannot go out in one write per reason, reading the grants once per batch', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, () => user({ notice: 1 })));
    await enqueue(
      ctxAt(T0),
      users.map((u) => orderMsg(u)),
    );
    t.cloud.db.resetStats();
    const res = await drainOutbox(ctxAt(at(1000)));
    const stats = t.cloud.db.stats();
    expect(res).toEqual({ sent: 0, retried: 0, skipped: 20 });
    expect(stats.byCollection.outbox).toEqual({ reads: 1, writes: 1 });
    expect(stats.byCollection.users).toEqual({ reads: 1, writes: 0 });
    expect(wxCalls('subscribeMessage.send')).toEqual([]);
  });
});

describe('WeChat’s errors', () => {
  it.each([
    [47003, '消息内容不符合模板规则'],
    [40037, '模板 ID 不对'],
    [40003, '接收者 openid 不对'],
    [41030, '跳转页面不存在'],
  ])('%i fails at once with the reason and gives the grant back', async (errcode, reason) => {
    const u = await user({ orderStatus: 1 });
    failSubscribeSend({ openid: u, errcode });
    await enqueue(ctxAt(T0), [orderMsg(u)]);
    await drainOutbox(ctxAt(at(1000)));
    const m = await one(u);
    expect(m).toMatchObject({ status: 'failed', errcode, attempts: 1, grantHeld: false });
    expect(m.error).toContain(reason);
    expect(m.error).toContain(String(errcode));
    expect(await grants(u)).toEqual({ left: 1, held: 0 });
  });

  it('43101 (refused, no grant left at WeChat) fails and does not give the grant back', async () => {
    const u = await user({ orderStatus: 1 });
    failSubscribeSend({ openid: u, errcode: 43101 });
    await enqueue(ctxAt(T0), [orderMsg(u)]);
    await drainOutbox(ctxAt(at(1000)));
    expect(await one(u)).toMatchObject({ status: 'failed', errcode: 43101 });
    expect((await one(u)).error).toContain('用户拒收');
    expect(await grants(u)).toEqual({ left: 0, held: 0 });
  });

  it('the stand-in refuses data the template does not have (47003), an unknown template (40037), a bad page (41030)', async () => {
    const a = await user({ orderStatus: 1 });
    const b = await user({ orderStatus: 1 });
    const c = await user({ orderStatus: 1 });
    try {
      process.env.GRIDLINK_TPL_ORDER_STATUS_KEYS = 'order=thing1,status=thing2,time=time3,note=thing4';
      await enqueue(ctxAt(T0), [orderMsg(a)]);
      await drainOutbox(ctxAt(at(1000)));
      expect(await one(a)).toMatchObject({ status: 'failed', errcode: 47003 });
      expect(sendsTo(a)[0]?.errmsg).toContain('data.thing2');
      delete process.env.GRIDLINK_TPL_ORDER_STATUS_KEYS;

      process.env.GRIDLINK_TPL_ORDER_STATUS = 'tpl-not-in-my-templates';
      await enqueue(ctxAt(T0), [orderMsg(b)]);
      await drainOutbox(ctxAt(at(1000)));
      expect(await one(b)).toMatchObject({ status: 'failed', errcode: 40037 });
      delete process.env.GRIDLINK_TPL_ORDER_STATUS;

      await enqueue(ctxAt(T0), [orderMsg(c, 'pages/nowhere/index?id=1')]);
      await drainOutbox(ctxAt(at(1000)));
      expect(await one(c)).toMatchObject({ status: 'failed', errcode: 41030 });
    } finally {
      delete process.env.GRIDLINK_TPL_ORDER_STATUS_KEYS;
      delete process.env.GRIDLINK_TPL_ORDER_STATUS;
    }
    for (const u of [a, b, c]) expect(await grants(u)).toEqual({ left: 1, held: 0 });
  });

  it('a template id configured per environment is used, with its own keys', async () => {
    const u = await user({ orderStatus: 1 });
    addWxTemplate({
      id: 'tpl-env-orders',
      title: '订单进度提醒',
      keys: { character_string2: '订单编号', thing5: '商品', phrase7: '状态', date9: '日期' },
      subscription: 'orderStatus',
    });
    try {
      process.env.GRIDLINK_TPL_ORDER_STATUS = 'tpl-env-orders';
      process.env.GRIDLINK_TPL_ORDER_STATUS_KEYS = 'order=thing5,status=phrase7,time=date9';
      await enqueue(ctxAt(T0), [orderMsg(u)]);
      await drainOutbox(ctxAt(at(1000)));
      // WeChat wants every key of the template: character_string2 is missing.
      expect(await one(u)).toMatchObject({ status: 'failed', errcode: 47003 });
      expect(sendsTo(u)[0]?.errmsg).toContain('data.character_string2.value is empty');
    } finally {
      delete process.env.GRIDLINK_TPL_ORDER_STATUS;
      delete process.env.GRIDLINK_TPL_ORDER_STATUS_KEYS;
      removeWxTemplate('tpl-env-orders');
    }
  });

  it('retries transient errors with exponential backoff, holding the grant, then sends', async () => {
    const u = await user({ orderStatus: 1 });
    failSubscribeSend({ openid: u, errcode: -1, times: 3 });
    await enqueue(ctxAt(T0), [orderMsg(u)]);
    let now = T0;
    const waits: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      now = new Date(now.getTime() + 1000);
      await drainOutbox(ctxAt(now));
      const m = await one(u);
      expect(m).toMatchObject({ status: 'retrying', errcode: -1, attempts: i + 1, grantHeld: true });
      expect(m.error).toContain('微信系统繁忙');
      expect(await grants(u)).toEqual({ left: 0, held: 1 });
      // Not due before its time: nothing happens.
      await drainOutbox(ctxAt(new Date(Date.parse(m.nextAttemptAt) - 1)));
      expect((await one(u)).attempts).toBe(i + 1);
      waits.push(Date.parse(m.nextAttemptAt) - now.getTime());
      now = new Date(m.nextAttemptAt);
    }
    expect(waits).toEqual([60_000, 120_000, 240_000]);
    await drainOutbox(ctxAt(now));
    expect(await one(u)).toMatchObject({ status: 'sent', attempts: 4, error: null });
    expect(await grants(u)).toEqual({ left: 0, held: 0 });
    expect(sendsTo(u).map((c) => c.errcode)).toEqual([-1, -1, -1, 0]);
  });

  it('gives up after MAX_ATTEMPTS, with the reason, and gives the grant back', async () => {
    const u = await user({ orderStatus: 1 });
    failSubscribeSend({ openid: u, errcode: 45011 });
    await enqueue(ctxAt(T0), [orderMsg(u)]);
    let now = T0;
    const waits: number[] = [];
    for (let i = 0; i < MAX_ATTEMPTS; i += 1) {
      await drainOutbox(ctxAt(now));
      const m = await one(u);
      if (m.status === 'retrying') {
        waits.push(Date.parse(m.nextAttemptAt) - now.getTime());
        now = new Date(m.nextAttemptAt);
      }
    }
    const m = await one(u);
    expect(m).toMatchObject({ status: 'failed', attempts: MAX_ATTEMPTS, errcode: 45011 });
    expect(m.error).toContain(`重试 ${MAX_ATTEMPTS} 次仍未成功`);
    expect(waits).toHaveLength(MAX_ATTEMPTS - 1);
    expect(Math.max(...waits)).toBe(BACKOFF_CAP_MS);
    expect(await grants(u)).toEqual({ left: 1, held: 0 });
  });

  it('a daily quota (45009) waits for the next China day', async () => {
    const u = await user({ orderStatus: 1 });
    failSubscribeSend({ openid: u, errcode: 45009, times: 1 });
    await enqueue(ctxAt(T0), [orderMsg(u)]);
    await drainOutbox(ctxAt(T0));
    // 10:00 China time on 20 Aug → not before 00:05 on 21 Aug (China time).
    expect(await one(u)).toMatchObject({ status: 'retrying', nextAttemptAt: '2022-08-20T16:05:00.000Z' });
  });

  it('a transport failure (WeChat unreachable) is retried', async () => {
    const u = await user({ orderStatus: 1 });
    await enqueue(ctxAt(T0), [orderMsg(u)]);
    const url = process.env.GRIDLINK_DB_URL;
    process.env.GRIDLINK_DB_URL = 'http://127.0.0.1:9/db';
    resetCloudApp();
    try {
      await drainOutbox(ctxAt(T0)); // ctx.db is the working database; only WeChat is unreachable
    } finally {
      process.env.GRIDLINK_DB_URL = url;
      resetCloudApp();
    }
    const m = await one(u);
    expect(m).toMatchObject({ status: 'retrying', errcode: -99999, grantHeld: true });
    expect(m.error).toContain('云调用或网络出错');
    await drainOutbox(ctxAt(new Date(m.nextAttemptAt)));
    expect(await one(u)).toMatchObject({ status: 'sent' });
  });

  it('answers 40003 for someone who is not a user and 43101 for a user without a grant', async () => {
    const u = await user({});
    const data = { thing1: { value: '明日全员核酸' }, thing2: { value: '请到采样点' }, time3: { value: '10:00' } };
    const base = { template_id: 'local-tpl-notice', page: 'pages/resident/grid/index', data };
    expect(await callWx('subscribeMessage.send', { ...base, touser: 'nobody' })).toMatchObject({ errcode: 40003 });
    expect(await callWx('subscribeMessage.send', { ...base, touser: u })).toMatchObject({ errcode: 43101 });
    expect(await callWx('subscribeMessage.send', { ...base, touser: u, lang: 'fr' })).toMatchObject({ errcode: 47003 });
    expect(await callWx('subscribeMessage.send', { ...base, touser: u, miniprogram_state: 'beta' })).toMatchObject({
      errcode: 47003,
    });
    expect(await callWx('subscribeMessage.send', { ...base, touser: u, Page: 'x' })).toMatchObject({ errcode: 47001 });
    expect(
      await callWx('subscribeMessage.send', { ...base, touser: u, page: '/pages/resident/grid/index' }),
    ).toMatchObject({ errcode: 41030 });
  });
});

describe('grants and races', () => {
  it('two drains at once send each message once', async () => {
    const users = await Promise.all(Array.from({ length: 12 }, () => user({ orderStatus: 1 })));
    await enqueue(
      ctxAt(T0),
      users.map((u) => orderMsg(u)),
    );
    const [a, b] = await Promise.all([drainOutbox(ctxAt(at(1000))), drainOutbox(ctxAt(at(1000)))]);
    expect(a.sent + b.sent).toBeGreaterThanOrEqual(12);
    for (const u of users) {
      expect(sendsTo(u)).toHaveLength(1);
      expect(await one(u)).toMatchObject({ status: 'sent', attempts: 1 });
      expect(await grants(u)).toEqual({ left: 0, held: 0 });
    }
  });

  it('one grant, two messages: one goes out, the other waits for it and then fails', async () => {
    const u = await user({ orderStatus: 1 });
    await enqueue(ctxAt(T0), [orderMsg(u), orderMsg(u)]);
    await drainOutbox(ctxAt(at(1000)));
    for (let i = 0; i < 3; i += 1) {
      const waiting = (await messagesOf(u)).find((m) => m.status === 'retrying');
      if (!waiting) break;
      await drainOutbox(ctxAt(new Date(waiting.nextAttemptAt)));
    }
    const states = (await messagesOf(u)).map((m) => m.status).sort();
    expect(states).toEqual(['failed', 'sent']);
    expect(sendsTo(u)).toHaveLength(1);
    expect(await grants(u)).toEqual({ left: 0, held: 0 });
  });

  it('a drain that died mid-send leaves the message to another after the lease, grant still held once', async () => {
    const u = await user({ orderStatus: 1 });
    await enqueue(ctxAt(T0), [orderMsg(u)]);
    const m = await one(u);
    // As a drain would leave it: claimed, grant moved to held, then the function instance died.
    await t.db
      .collection('outbox')
      .doc(m._id)
      .update({ status: 'sending', claim: 'dead', claimedAt: T0.toISOString(), attempts: 1, grantHeld: true });
    await t.db
      .collection('users')
      .doc(u)
      .update({ subscriptions: { orderStatus: 0 }, subscriptionsHeld: { orderStatus: 1 } });
    await drainOutbox(ctxAt(at(SENDING_LEASE_MS - 1000)));
    expect(await one(u)).toMatchObject({ status: 'sending', claim: 'dead' });
    expect(sendsTo(u)).toEqual([]);
    await drainOutbox(ctxAt(at(SENDING_LEASE_MS + 1000)));
    expect(await one(u)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(await grants(u)).toEqual({ left: 0, held: 0 });
  });
});

/**
 * The database with a crash planted: the first conditional update that `crashes` picks throws, as
 * a function instance dying at that point would leave things (what came before is written).
 */
function crashingDb(crashes: (collection: string, patch: Record<string, unknown>) => boolean): CallContext['db'] {
  let crashed = false;
  const bind = <T extends object>(target: T, wrap: (prop: string | symbol) => unknown): T =>
    new Proxy(target, {
      get(obj, prop) {
        const wrapped = wrap(prop);
        if (wrapped !== undefined) return wrapped;
        const v = Reflect.get(obj, prop) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(obj) : v;
      },
    });
  return bind(t.db, (prop) =>
    prop === 'collection'
      ? (name: string) =>
          bind(t.db.collection(name), (p) =>
            p === 'where'
              ? (q: object) => {
                  const where = t.db.collection(name).where(q);
                  return bind(where, (wp) =>
                    wp === 'update'
                      ? async (patch: Record<string, unknown>) => {
                          if (!crashed && crashes(name, patch)) {
                            crashed = true;
                            throw new Error('函数实例崩溃（测试）');
                          }
                          return where.update(patch);
                        }
                      : undefined,
                  );
                }
              : undefined,
          )
      : undefined,
  );
}

describe('batched drains', () => {
  it('a batch costs a few requests whatever its size: claim, hold, record, settle, spend', async () => {
    const users = await Promise.all(Array.from({ length: 30 }, () => user({ orderStatus: 1 })));
    await enqueue(
      ctxAt(T0),
      users.map((u) => orderMsg(u)),
    );
    // Out of the way: anything earlier tests left due.
    await drainOutbox(ctxAt(T0), 1000);
    t.cloud.db.resetStats();
    await t.db
      .collection('outbox')
      .where({ openid: t.db.command.in(users) })
      .update({ status: 'queued', attempts: 0, nextAttemptAt: T0.toISOString(), claim: null, claimedAt: null });
    await t.db
      .collection('users')
      .where({ _id: t.db.command.in(users) })
      .update({ subscriptions: { orderStatus: 1 }, subscriptionsHeld: { orderStatus: 0 } });
    t.cloud.db.resetStats();
    clearWxCalls();
    const res = await drainOutbox(ctxAt(at(1000)), 1000);
    expect(res).toEqual({ sent: 30, retried: 0, skipped: 0 });
    const stats = t.cloud.db.stats();
    // Read due, claim, read back, record the holds, settle as sent.
    expect(stats.byCollection.outbox).toEqual({ reads: 2, writes: 3 });
    // Read the grants (the local WeChat stand-in reads each recipient too: WeChat's work, not ours),
    // hold one each, spend them.
    expect(stats.byCollection.users).toEqual({ reads: 1 + 30, writes: 2 });
    for (const u of users) {
      expect(sendsTo(u)).toHaveLength(1);
      expect(await one(u)).toMatchObject({ status: 'sent', attempts: 1, grantHeld: false });
      expect(await grants(u)).toEqual({ left: 0, held: 0 });
    }
  });

  it('four drains at once with small batches send each message exactly once and spend each grant once', async () => {
    const users = await Promise.all(Array.from({ length: 40 }, () => user({ orderStatus: 1 })));
    await enqueue(
      ctxAt(T0),
      users.map((u) => orderMsg(u)),
    );
    for (let round = 0; round < 6; round += 1)
      await Promise.all([7, 11, 13, 200].map((size) => drainOutbox(ctxAt(at(1000 + round)), size)));
    for (const u of users) {
      expect(sendsTo(u)).toHaveLength(1);
      expect(await one(u)).toMatchObject({ status: 'sent', attempts: 1 });
      expect(await grants(u)).toEqual({ left: 0, held: 0 });
      const doc = (await t.db.collection('users').doc(u).get()).data[0] as UserDoc;
      expect(Object.keys(doc.grantHolds ?? {})).toEqual([]);
    }
  });

  it('a user with two grants and three messages in one batch: two go out, the third waits then fails', async () => {
    const u = await user({ orderStatus: 2 });
    await enqueue(ctxAt(T0), [orderMsg(u), orderMsg(u), orderMsg(u)]);
    await drainOutbox(ctxAt(at(1000)));
    expect((await messagesOf(u)).map((m) => m.status).sort()).toEqual(['retrying', 'sent', 'sent']);
    const waiting = (await messagesOf(u)).find((m) => m.status === 'retrying') as OutboxDoc;
    await drainOutbox(ctxAt(new Date(waiting.nextAttemptAt)));
    expect((await messagesOf(u)).map((m) => m.status).sort()).toEqual(['failed', 'sent', 'sent']);
    expect(sendsTo(u)).toHaveLength(2);
    expect(await grants(u)).toEqual({ left: 0, held: 0 });
  });

  it('a drain that crashed between its claim and holding grants: nothing sent; retaken after the lease, sent once', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => user({ orderStatus: 1 })));
    await enqueue(
      ctxAt(T0),
      users.map((u) => orderMsg(u)),
    );
    const dying: CallContext = { ...ctxAt(at(1000)), db: crashingDb((c) => c === 'users') };
    await expect(drainOutbox(dying)).rejects.toThrow('崩溃');
    for (const u of users) {
      expect(await one(u)).toMatchObject({ status: 'sending', attempts: 1, grantHeld: false });
      expect(await grants(u)).toEqual({ left: 1, held: 0 });
    }
    await drainOutbox(ctxAt(at(1000 + SENDING_LEASE_MS - 1000)));
    expect(users.flatMap((u) => sendsTo(u))).toEqual([]);
    await drainOutbox(ctxAt(at(2000 + SENDING_LEASE_MS)));
    for (const u of users) {
      expect(sendsTo(u)).toHaveLength(1);
      expect(await one(u)).toMatchObject({ status: 'sent', attempts: 2, grantHeld: false });
      expect(await grants(u)).toEqual({ left: 0, held: 0 });
    }
  });

  it('a drain that crashed after holding grants, before sending: the grants stay held once, spent by the taker', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => user({ orderStatus: 1 })));
    await enqueue(
      ctxAt(T0),
      users.map((u) => orderMsg(u)),
    );
    // Dies on the settle, i.e. after the holds were recorded; WeChat unreachable so nothing went out.
    const dying: CallContext = {
      ...ctxAt(at(1000)),
      db: crashingDb((c, patch) => c === 'outbox' && patch.status === 'retrying'),
    };
    const url = process.env.GRIDLINK_DB_URL;
    process.env.GRIDLINK_DB_URL = 'http://127.0.0.1:9/db';
    resetCloudApp();
    try {
      await expect(drainOutbox(dying)).rejects.toThrow('崩溃');
    } finally {
      process.env.GRIDLINK_DB_URL = url;
      resetCloudApp();
    }
    for (const u of users) {
      expect(await one(u)).toMatchObject({ status: 'sending', grantHeld: true });
      expect(await grants(u)).toEqual({ left: 0, held: 1 });
    }
    await drainOutbox(ctxAt(at(2000 + SENDING_LEASE_MS)));
    for (const u of users) {
      expect(sendsTo(u).filter((c) => c.errcode === 0)).toHaveLength(1);
      expect(await one(u)).toMatchObject({ status: 'sent', attempts: 2, grantHeld: false });
      expect(await grants(u)).toEqual({ left: 0, held: 0 });
    }
  });
});

describe('user.subscribe', () => {
  it('counts the grant in one request for a known user; a first-time caller is created and counted', async () => {
    const u = await user({ orderStatus: 1 });
    t.cloud.db.resetStats();
    await t.ok(u, 'user.subscribe', { templates: ['orderStatus', 'orderStatus', 'notice'] });
    const stats = t.cloud.db.stats();
    expect(stats.reads + stats.writes).toBe(1);
    const doc = (await t.db.collection('users').doc(u).get()).data[0] as UserDoc;
    expect(doc.subscriptions).toEqual({ orderStatus: 2, notice: 1 });

    const fresh = 'ob-never-seen-before';
    await t.ok(fresh, 'user.subscribe', { templates: ['notice'] });
    const created = (await t.db.collection('users').doc(fresh).get()).data[0] as UserDoc;
    expect(created).toMatchObject({ _id: fresh, roles: [], subscriptions: { notice: 1 } });
  });
});

describe('the admin’s outbox (org.outbox)', () => {
  it('lists the community’s messages with their state, newest first, and the counts', async () => {
    const admin = await user({}, { roles: ['communityAdmin'], nickName: '管理员' });
    const r1 = await user({}, { nickName: '居民甲' });
    const r2 = await user({}, { nickName: '居民乙' });
    const elsewhere = await user({ notice: 1 }, { communityId: 'c-other', nickName: '别处居民' });
    // The resident accepted the notice template (wx.requestSubscribeMessage → user.subscribe).
    await t.ok(r1, 'user.subscribe', { templates: ['notice'] });
    const now = Date.now();
    const notice = { title: '明日全员核酸', body: '请于 8:00 到 1 号采样点' };
    await enqueue(ctxAt(new Date(now - 3000)), [
      { openid: r1, template: 'notice', page: 'pages/resident/grid/index', data: notice },
      { openid: elsewhere, template: 'notice', page: 'pages/resident/grid/index', data: notice },
    ]);
    await enqueue(ctxAt(new Date(now - 2000)), [
      {
        openid: r2,
        template: 'joinResult',
        page: 'pages/index/index',
        data: { subject: '加入网格', result: '已通过' },
      },
    ]);
    failSubscribeSend({ openid: r1, errcode: -1, times: 1 });
    await drainOutbox(ctxAt(new Date(now)), 500);

    const mine = (await t.ok(admin, 'org.outbox', { limit: 100 })).items.filter((i) => i.recipient.startsWith('居民'));
    expect(mine).toEqual([
      expect.objectContaining({
        kind: 'joinResult',
        kindText: '审核结果通知',
        recipient: '居民乙',
        summary: '加入网格 · 已通过',
        status: 'failed',
        statusText: '发送失败',
        error: '用户未订阅此消息或订阅次数已用完',
        nextAttemptAt: null,
      }),
      expect.objectContaining({
        kind: 'notice',
        kindText: '网格通知',
        recipient: '居民甲',
        summary: '明日全员核酸 · 请于 8:00 到 1 号采样点',
        status: 'retrying',
        statusText: '等待重试',
        attempts: 1,
        nextAttemptAt: new Date(now + 60_000).toISOString(),
      }),
    ]);
    expect(mine[1]?.error).toContain('微信系统繁忙');
    const page = await t.ok(admin, 'org.outbox', { limit: 100 });
    expect(page.total).toBe(Object.values(page.counts).reduce((a, b) => a + b, 0));
    expect(page.items.some((i) => i.recipient === '别处居民')).toBe(false);
    const times = page.items.map((i) => i.createdAt);
    expect([...times].sort().reverse()).toEqual(times);

    await drainOutbox(ctxAt(new Date(now + 60_000)), 500);
    const sent = await t.ok(admin, 'org.outbox', { status: 'sent' });
    expect(sent.items.map((i) => i.recipient)).toContain('居民甲');
    expect(sent.items.every((i) => i.status === 'sent')).toBe(true);
    expect(sent.counts.sent).toBeGreaterThanOrEqual(1);

    // Paged with the list helpers.
    const first = await t.ok(admin, 'org.outbox', { limit: 1 });
    const second = await t.ok(admin, 'org.outbox', { limit: 1, cursor: first.nextCursor ?? '' });
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id);

    expect(await t.call(admin, 'org.outbox', { status: 'lost' as never })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    expect(await t.call(r1, 'org.outbox', {})).toMatchObject({ ok: false, code: 'AUTH.NOT_ADMIN' });
  });
});
