/** @jest-environment node */
/**
 * Issue 13 — the live group order (动态消息) and the chat-tool board (聊天工具模式): the updatable
 * message is made once per round and group, updated in batches by the order function's timer (one
 * update per message per tick, with the right count), closed with the round; WeChat's stand-in
 * refuses what WeChat would; members match themselves to their own household only, from the
 * platform's open data; the board is for the grid's people, masked, and only staff get the list to @.
 */
import { issueCloudId } from '../../localcloud/open-data';
import { invokeFunction, runTimer } from '../../localcloud/invoke';
import { clearWxCalls, wxCalls } from '../../localcloud/wechat';
import {
  activityOf,
  createActivityId,
  expireActivity,
  setUpdatableMsg,
} from '../../localcloud/wechat/apis/updatable-message';
import { FUNCTIONS } from '../../server/functions/registry';
import { maskRoom } from '../../server/functions/grid/chat';
import { liveTitle } from '../../server/lib/live-message';
import type { ActionName, Req } from '../../typings/api';
import type { Grid, HouseholdDoc, LiveMessageDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
let grid: Grid;
let households: HouseholdDoc[];
const GROUP = 'G_live_group_01';
const ROUND = 'round-live-01';

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 2, households: 80 } });
  grid = (await t.db.collection('grids').doc('g-01').get()).data[0] as Grid;
  households = (await t.db.collection('households').where({ gridId: 'g-01' }).orderBy('_id', 'asc').get())
    .data as HouseholdDoc[];
  const now = Date.now();
  await t.db.collection('rounds').add({
    _id: ROUND,
    communityId: grid.communityId,
    name: '第9批团购',
    opensAt: new Date(now - 3600_000).toISOString(),
    closesAt: new Date(now + 6 * 3600_000).toISOString(),
    createdBy: 'test',
  });
  // The group is bound to g-01 (grid.bindGroup, from inside the group).
  expect(await fromGroup('dev-gw-01', { openGId: GROUP }, 'grid.bindGroup', { gridId: 'g-01' })).toMatchObject({
    ok: true,
  });
});
afterAll(() => t.close());
beforeEach(() => clearWxCalls());

/** Calls an action from inside a WeChat group: `data` is what the platform decrypts for this user. */
async function fromGroup<A extends ActionName>(openid: string, data: object, action: A, payload: Req<A>) {
  const name = action.split('.')[0] as keyof typeof FUNCTIONS;
  const group = { cloudID: issueCloudId(openid, data as Record<string, unknown>).cloudID };
  return invokeFunction(name, FUNCTIONS[name], { action, payload, group }, openid) as Promise<any>;
}

/** Calls an action with extra top-level fields, as a client could write them. */
async function withTop<A extends ActionName>(openid: string, action: A, payload: Req<A>, top: object) {
  const name = action.split('.')[0] as keyof typeof FUNCTIONS;
  return invokeFunction(name, FUNCTIONS[name], { action, payload, ...top }, openid) as Promise<any>;
}

let orderSeq = 0;
/** An order of a household in the round (what order.place writes, as far as counting goes). */
async function order(h: HouseholdDoc, status = 'submitted', roundId = ROUND) {
  orderSeq += 1;
  await t.db.collection('orders').add({
    _id: `o-live-${orderSeq}`,
    communityId: h.communityId,
    gridId: h.gridId,
    buildingId: h.buildingId,
    householdId: h._id,
    room: h.room,
    roundId,
    status,
    createdAt: new Date().toISOString(),
    updatedAt: new Date().toISOString(),
  });
}

const tick = () => runTimer('order', 'everyMinute') as Promise<{ ok: boolean }>;
const sets = () => wxCalls('updatableMessage.setUpdatableMsg');
const param = (request: unknown, name: string) =>
  (
    request as { template_info: { parameter_list: Array<{ name: string; value: string }> } }
  ).template_info.parameter_list.find((p) => p.name === name)?.value;

describe('the live group order', () => {
  let inGroup: any;

  it('is made once per round and group: the same activity id on every tap, WeChat asked once', async () => {
    const first = await fromGroup('dev-gw-01', { openGId: GROUP }, 'grid.liveMessage', {
      gridId: 'g-01',
      roundId: ROUND,
    });
    expect(first.ok).toBe(true);
    inGroup = first.data;
    expect(inGroup).toMatchObject({
      roundId: ROUND,
      ordered: 0,
      households: households.length,
      path: '/pages/resident/order/index',
    });
    expect(inGroup.title).toMatch(/^已有 0 户下单 · .*\d\d:\d\d 截止$/);
    expect(inGroup.parameterList).toEqual([
      { name: 'member_count', value: '0' },
      { name: 'room_limit', value: String(households.length) },
    ]);
    const again = await fromGroup('dev-gw-01', { openGId: GROUP }, 'grid.liveMessage', {
      gridId: 'g-01',
      roundId: ROUND,
    });
    expect(again.data.activityId).toBe(inGroup.activityId);
    expect(wxCalls('updatableMessage.createActivityId')).toHaveLength(1);
    expect(activityOf(inGroup.activityId)?.state).toBeNull();
    // Shared from outside any group: one more message (round + grid), made once too.
    const plain = await t.ok('dev-gw-01', 'grid.liveMessage', { gridId: 'g-01', roundId: ROUND });
    expect(plain.activityId).not.toBe(inGroup.activityId);
    expect((await t.ok('dev-gw-01', 'grid.liveMessage', { gridId: 'g-01', roundId: ROUND })).activityId).toBe(
      plain.activityId,
    );
    expect((await t.db.collection('liveMessages').where({ roundId: ROUND }).count()).total).toBe(2);
  });

  it('is refused for a group bound to no grid of the caller, another grid’s staff, a closed or unknown round', async () => {
    expect(
      await fromGroup('dev-gw-01', { openGId: 'G_elsewhere' }, 'grid.liveMessage', { gridId: 'g-01', roundId: ROUND }),
    ).toMatchObject({ ok: false, code: 'COMMON.CONFLICT' });
    expect(await t.call('dev-gw-02', 'grid.liveMessage', { gridId: 'g-01', roundId: ROUND })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    expect(await t.call('dev-gw-01', 'grid.liveMessage', { gridId: 'g-01', roundId: 'no-such-round' })).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
  });

  it('is updated in batches: 30 orders → one update per message on the next tick, with the count', async () => {
    for (const h of households.slice(0, 30)) await order(h);
    // A second order of a household, and a cancelled one, do not count twice / at all.
    await order(households[0]!);
    await order(households[31]!, 'cancelled');
    expect((await tick()).ok).toBe(true);
    const byActivity = new Map<string, unknown[]>();
    for (const c of sets()) {
      const id = (c.request as { activity_id: string }).activity_id;
      byActivity.set(id, [...(byActivity.get(id) ?? []), c.request]);
    }
    expect(byActivity.size).toBe(2);
    for (const requests of byActivity.values()) {
      expect(requests).toHaveLength(1);
      expect(requests[0]).toMatchObject({ target_state: 0 });
      expect(param(requests[0], 'member_count')).toBe('30');
      expect(param(requests[0], 'room_limit')).toBe(String(households.length));
    }
    expect(sets().every((c) => c.errcode === 0)).toBe(true);
    expect(activityOf(inGroup.activityId)?.parameters).toEqual({
      member_count: '30',
      room_limit: String(households.length),
    });

    // Nothing new: no call. One more household: one call per message, 31.
    clearWxCalls();
    await tick();
    expect(sets()).toHaveLength(0);
    await order(households[30]!);
    await tick();
    expect(sets()).toHaveLength(2);
    expect(sets().map((c) => param(c.request, 'member_count'))).toEqual(['31', '31']);
    // What the page shares now says so too.
    const view = await fromGroup('dev-gw-01', { openGId: GROUP }, 'grid.liveMessage', {
      gridId: 'g-01',
      roundId: ROUND,
    });
    expect(view.data.title).toBe(liveTitle(31, view.data.closesAt, new Date()));
  });

  it('is closed with the round (target_state 1, once), and the round then makes no new one', async () => {
    await t.db
      .collection('rounds')
      .doc(ROUND)
      .update({ closesAt: new Date(Date.now() - 1000).toISOString() });
    await tick();
    expect(sets()).toHaveLength(2);
    for (const c of sets()) {
      expect(c.request).toMatchObject({ target_state: 1 });
      expect(param(c.request, 'path')).toBe('pages/resident/orders/index');
      expect(param(c.request, 'version_type')).toBe('release');
      expect(c.errcode).toBe(0);
    }
    expect(activityOf(inGroup.activityId)?.state).toBe(1);
    const stored = (await t.db.collection('liveMessages').where({ roundId: ROUND }).get()).data as LiveMessageDoc[];
    expect(stored.map((m) => m.state)).toEqual(['closed', 'closed']);
    clearWxCalls();
    await tick();
    expect(sets()).toHaveLength(0);
    expect(await t.call('dev-gw-01', 'grid.liveMessage', { gridId: 'g-01', roundId: ROUND })).toMatchObject({
      ok: false,
      code: 'ORDER.ROUND_CLOSED',
    });
  });

  it('gets a new id when WeChat’s ran out (24 h) while the round is still open; the old one is retired, not called', async () => {
    const now = Date.now();
    await t.db.collection('rounds').add({
      _id: 'round-live-02',
      communityId: grid.communityId,
      name: '第10批团购',
      opensAt: new Date(now - 3600_000).toISOString(),
      closesAt: new Date(now + 48 * 3600_000).toISOString(),
      createdBy: 'test',
    });
    const first = await t.ok('dev-gw-01', 'grid.liveMessage', { gridId: 'g-01', roundId: 'round-live-02' });
    expireActivity(first.activityId, now - 1);
    await t.db
      .collection('liveMessages')
      .doc(first.id)
      .update({ expiresAt: new Date(now - 1).toISOString() });
    await order(households[0]!, 'submitted', 'round-live-02');
    clearWxCalls();
    await tick();
    expect(sets()).toHaveLength(0);
    expect(((await t.db.collection('liveMessages').doc(first.id).get()).data[0] as LiveMessageDoc).state).toBe(
      'expired',
    );
    const fresh = await t.ok('dev-gw-01', 'grid.liveMessage', { gridId: 'g-01', roundId: 'round-live-02' });
    expect(fresh.activityId).not.toBe(first.activityId);
    expect(fresh.id).toBe(first.id);
    expect(fresh.ordered).toBe(1);
  });
});

describe('WeChat’s stand-in for updatable messages', () => {
  const now = new Date();
  const made = () => createActivityId({}, now) as { activity_id: string; expiration_time: number };
  const open = (id: string, list: unknown, state: unknown = 0) =>
    setUpdatableMsg({ activity_id: id, target_state: state, template_info: { parameter_list: list } }, now);
  const ok = [
    { name: 'member_count', value: '3' },
    { name: 'room_limit', value: '40' },
  ];

  it('answers an id that expires in 24 hours; refuses private-message ids and unknown fields', () => {
    const id = made();
    expect(id.expiration_time).toBe(Math.floor((now.getTime() + 24 * 3600_000) / 1000));
    expect(createActivityId({ openid: 'o1' }, now)).toMatchObject({ errcode: 40097 });
    expect(createActivityId({ activityId: 'x' }, now)).toMatchObject({ errcode: 47001 });
  });

  it('refuses what WeChat documents it refuses', () => {
    const id = made().activity_id;
    expect(setUpdatableMsg({}, now)).toMatchObject({ errcode: 44002 });
    expect(open('unknown-id', ok)).toMatchObject({ errcode: 40097 });
    expect(open(id, ok, 2)).toMatchObject({ errcode: 40097 });
    expect(open(id, ok, '0')).toMatchObject({ errcode: 47001 });
    expect(open(id, [ok[0]])).toMatchObject({ errcode: 40097, errmsg: expect.stringContaining('room_limit') });
    expect(open(id, [...ok, { name: 'path', value: 'pages/index/index' }])).toMatchObject({ errcode: 40097 });
    expect(open(id, [{ name: 'member_count', value: 3 }, ok[1]])).toMatchObject({ errcode: 40097 });
    expect(open(id, [{ name: 'member_count', value: '三' }, ok[1]])).toMatchObject({ errcode: 40097 });
    expect(open(id, [...ok, ok[0]])).toMatchObject({ errcode: 40097 });
    expect(open(id, [{ name: 'memberCount', value: '3' }, ok[1]])).toMatchObject({ errcode: 40097 });
    expect(
      setUpdatableMsg({ activity_id: id, target_state: 0, template_info: { parameterList: ok } }, now),
    ).toMatchObject({
      errcode: 47001,
    });
    expect(
      setUpdatableMsg({ activity_id: id, target_state: 0, template_info: { parameter_list: ok }, x: 1 }, now),
    ).toMatchObject({ errcode: 47001 });
    expect(open(id, [{ name: 'path', value: 'pages/index/index' }], 1)).toMatchObject({ errcode: 40097 });
    expect(
      open(
        id,
        [
          { name: 'path', value: 'p' },
          { name: 'version_type', value: 'beta' },
        ],
        1,
      ),
    ).toMatchObject({
      errcode: 40097,
    });
    expect(open(id, ok)).toMatchObject({ errcode: 0 });
    expect(
      open(
        id,
        [
          { name: 'path', value: 'pages/index/index' },
          { name: 'version_type', value: 'release' },
        ],
        1,
      ),
    ).toMatchObject({
      errcode: 0,
    });
    // State 1 cannot be converted; an expired id is refused.
    expect(open(id, ok)).toMatchObject({ errcode: 40097, errmsg: expect.stringContaining('cannot be converted') });
    const old = made().activity_id;
    expireActivity(old, now.getTime());
    expect(open(old, ok)).toMatchObject({ errcode: 40097, errmsg: expect.stringContaining('expired') });
  });
});

describe('matching a group member to their household', () => {
  const resident = () => households.find((h) => h.memberOpenids.length > 0)!;

  it('is the caller’s own, with their consent, from the platform’s open data only', async () => {
    const h = resident();
    const me = h.memberOpenids[0]!;
    const res = await fromGroup(me, { opengid: GROUP, group_openid: 'gop-me-1', chat_type: 3 }, 'grid.matchMember', {
      consent: true,
    });
    expect(res).toMatchObject({ ok: true, data: { matched: true, label: expect.stringContaining(maskRoom(h.room)) } });
    const stored = (await t.db.collection('groupMembers').where({ openGId: GROUP }).get()).data;
    expect(stored).toEqual([
      expect.objectContaining({ openid: me, groupOpenid: 'gop-me-1', householdId: h._id, gridId: 'g-01' }),
    ]);
    // Again (a new group_openid can only be the same person's): one match, updated.
    await fromGroup(me, { opengid: GROUP, group_openid: 'gop-me-1' }, 'grid.matchMember', { consent: true });
    expect((await t.db.collection('groupMembers').where({ openGId: GROUP }).count()).total).toBe(1);
  });

  it('refuses forged or someone else’s open data, a payload naming anyone, no consent, no group_openid', async () => {
    const me = resident().memberOpenids[0]!;
    // A client-made `{cloudID, data}` is not the platform's: no group at all.
    const forged = await withTop(
      me,
      'grid.matchMember',
      { consent: true },
      {
        group: { cloudID: 'x', data: { opengid: GROUP, group_openid: 'gop-forged' } },
      },
    );
    expect(forged).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    // A cloudID issued to another user.
    const other = { cloudID: issueCloudId('someone-else', { opengid: GROUP, group_openid: 'gop-x' }).cloudID };
    expect(await withTop(me, 'grid.matchMember', { consent: true }, { group: other })).toMatchObject({
      ok: false,
      code: 'AUTH.FORBIDDEN',
    });
    expect(
      await fromGroup(me, { opengid: GROUP, group_openid: 'gop-2' }, 'grid.matchMember', {
        consent: true,
        openid: 'dev-res-0002',
      } as never),
    ).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    expect(
      await fromGroup(me, { opengid: GROUP, group_openid: 'gop-2' }, 'grid.matchMember', { consent: false } as never),
    ).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    expect(await fromGroup(me, { opengid: GROUP }, 'grid.matchMember', { consent: true })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    expect(
      (
        await t.db
          .collection('groupMembers')
          .where({ groupOpenid: t.db.command.in(['gop-forged', 'gop-x', 'gop-2']) })
          .count()
      ).total,
    ).toBe(0);
  });

  it('is refused to someone not of the group’s grid, and withdrawn by the member', async () => {
    const other = ((await t.db.collection('households').where({ gridId: 'g-02' }).get()).data as HouseholdDoc[]).find(
      (h) => h.memberOpenids.length,
    )!;
    expect(
      await fromGroup(other.memberOpenids[0]!, { opengid: GROUP, group_openid: 'gop-o' }, 'grid.matchMember', {
        consent: true,
      }),
    ).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    expect(
      await fromGroup('nobody-here', { opengid: GROUP, group_openid: 'gop-n' }, 'grid.matchMember', { consent: true }),
    ).toMatchObject({ ok: false, code: 'AUTH.NOT_MEMBER' });
    const me = resident().memberOpenids[0]!;
    await fromGroup(me, { opengid: GROUP, group_openid: 'gop-me-1' }, 'grid.matchMember', { consent: true });
    expect(await fromGroup(me, { opengid: GROUP }, 'grid.unmatchMember', {})).toMatchObject({
      ok: true,
      data: { removed: true },
    });
    expect((await t.db.collection('groupMembers').where({ openGId: GROUP }).count()).total).toBe(0);
    await fromGroup(me, { opengid: GROUP, group_openid: 'gop-me-1' }, 'grid.matchMember', { consent: true });
  });
});

describe('the chat-tool board', () => {
  beforeAll(async () => {
    const now = Date.now();
    await t.db.collection('rounds').add({
      _id: 'round-live-03',
      communityId: grid.communityId,
      name: '第11批团购',
      opensAt: new Date(now - 60_000).toISOString(),
      closesAt: new Date(now + 3600_000).toISOString(),
      createdBy: 'test',
    });
    await t.db.collection('testRounds').add({
      _id: 'tr-live-01',
      communityId: grid.communityId,
      code: 'R9',
      name: '第9轮核酸',
      date: '2022-04-10',
      points: [],
      validHours: 48,
      status: 'open',
      openedAt: new Date(now).toISOString(),
      closedAt: null,
      createdBy: 'test',
    });
    const withMembers = households.filter((h) => h.members.length >= 2);
    const [all, part] = withMembers;
    let n = 0;
    const sample = async (h: HouseholdDoc, memberId: string) =>
      t.db.collection('samples').add({
        _id: `s-live-${(n += 1)}`,
        roundId: 'tr-live-01',
        communityId: h.communityId,
        gridId: h.gridId,
        buildingId: h.buildingId,
        householdId: h._id,
        memberId,
      });
    for (const m of all!.members) await sample(all!, m.id);
    await sample(part!, part!.members[0]!.id);
  });

  it('shows the grid’s people this round and this testing round, masked, without the list to @', async () => {
    const h = households.find((x) => x.memberOpenids.length > 0)!;
    const res = await fromGroup(h.memberOpenids[0]!, { opengid: GROUP }, 'grid.chatBoard', {});
    expect(res.ok).toBe(true);
    const board = res.data;
    expect(board).toMatchObject({ gridId: 'g-01', you: 'member', matched: true });
    expect(board.remind).toBeUndefined();
    expect(board.order).toMatchObject({ roundId: 'round-live-03', done: 0, total: households.length });
    expect(board.testing).toMatchObject({ roundId: 'tr-live-01', done: 1 });
    expect(board.testing.rows.filter((r: { partly?: boolean }) => r.partly)).toHaveLength(1);
    const text = JSON.stringify(board);
    for (const x of households) {
      expect(text).not.toContain(x._id);
      expect(text).not.toContain(x.headName);
      expect(text).not.toContain(`"${x.room}`);
      expect(text).not.toContain(` ${x.room}"`);
    }
  });

  it('gives the grid’s staff the group_openids of matched members not done yet', async () => {
    const h = households.find((x) => x.memberOpenids.length > 0)!;
    const staff = await fromGroup('dev-gw-01', { opengid: GROUP }, 'grid.chatBoard', {});
    expect(staff.data.you).toBe('staff');
    expect(staff.data.remind.order).toEqual(['gop-me-1']);
    await order(h, 'submitted', 'round-live-03');
    const after = await fromGroup('dev-gw-01', { opengid: GROUP }, 'grid.chatBoard', {});
    expect(after.data.remind.order).toEqual([]);
    expect(after.data.order.done).toBe(1);
  });

  it('is refused outside the group’s grid, from an unbound group, and without the platform’s group', async () => {
    const other = ((await t.db.collection('households').where({ gridId: 'g-02' }).get()).data as HouseholdDoc[]).find(
      (h) => h.memberOpenids.length,
    )!;
    expect(await fromGroup(other.memberOpenids[0]!, { opengid: GROUP }, 'grid.chatBoard', {})).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_MEMBER',
    });
    expect(await fromGroup('dev-gw-02', { opengid: GROUP }, 'grid.chatBoard', {})).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_MEMBER',
    });
    expect(await fromGroup('dev-gw-01', { opengid: 'G_unbound' }, 'grid.chatBoard', {})).toMatchObject({
      ok: false,
      code: 'JOIN.GROUP_UNKNOWN',
    });
    expect(
      await withTop('dev-gw-01', 'grid.chatBoard', {}, { group: { cloudID: 'x', data: { opengid: GROUP } } }),
    ).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
  });
});
