/** @jest-environment node */
/**
 * 明日预约 (next-day bookings), the 重点人员 ledger and the printed personal-code sheet: who may
 * do what, the claim race, the booking's life as the resident sees it, one check-in a day.
 */
import { chinaDayAfter } from '../../miniprogram/utils/format';
import { readPersonCode } from '../../core/card/token';
import { cardKeys } from '../../server/lib/card-keys';
import type { HouseholdDoc, UserDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
let households: HouseholdDoc[];

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 3, households: 90, joinedShare: 1 } });
  households = (await t.db.collection('households').orderBy('_id', 'asc').limit(1000).get()).data as HouseholdDoc[];
  // A second gridworker of 第1网格 (the claim race) and a group leader's view is checked with dev-gl-01.
  const { _id: _unused, ...gw } = ((await t.db.collection('users').doc('dev-gw-01').get()).data as UserDoc[])[0]!;
  await t.db
    .collection('users')
    .doc('gw-b')
    .set({ ...gw, nickName: '王网格员' });
}, 60_000);
afterAll(() => t.close());

const inGrid = (gridId: string) => households.filter((h) => h.gridId === gridId && h.memberOpenids.length > 0);
const tomorrow = () => chinaDayAfter(new Date(), 1);

describe('明日预约', () => {
  it('a resident books with a reason; the grid lists it in walking order, paged, and other grids cannot see it', async () => {
    const hs = inGrid('g-01').slice(0, 6);
    for (const h of hs)
      await t.ok(h.memberOpenids[0]!, 'testing.book', {
        date: tomorrow(),
        memberIds: [h.members[0]!.id],
        reason: 'returnee',
        note: '从外地返并',
      });
    const first = await t.ok('dev-gw-01', 'testing.bookingList', { gridId: 'g-01', limit: 4 });
    expect(first.total).toBe(6);
    expect(first.counts.booked).toBe(6);
    expect(first.items).toHaveLength(4);
    expect(first.items[0]).toMatchObject({ reason: 'returnee', status: 'booked', mine: false, claimedBy: null });
    expect(first.items[0]!.nameMasked).not.toBe(
      hs.find((h) => h._id === first.items[0]!.householdId)!.members[0]!.name,
    );
    const second = await t.ok('dev-gw-01', 'testing.bookingList', {
      gridId: 'g-01',
      limit: 4,
      cursor: first.nextCursor!,
    });
    expect(second.nextCursor).toBeNull();
    const rooms = [...first.items, ...second.items].map((i) => `${i.buildingName} ${i.room}`);
    expect(new Set([...first.items, ...second.items].map((i) => i.id)).size).toBe(6);
    const { naturalCompare } = await import('../../core/natural-sort');
    const walked = [...first.items, ...second.items];
    for (let i = 1; i < walked.length; i += 1) {
      const a = walked[i - 1]!;
      const b = walked[i]!;
      expect(naturalCompare(a.buildingName, b.buildingName) || naturalCompare(a.room, b.room)).toBeLessThanOrEqual(0);
    }
    expect(rooms).toHaveLength(6);
    // Another grid's gridworker, and a resident, are refused.
    expect(await t.call('dev-gw-02', 'testing.bookingList', { gridId: 'g-01' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    expect(await t.call(hs[0]!.memberOpenids[0]!, 'testing.bookingList', { gridId: 'g-01' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
    expect(await t.call('dev-gw-01', 'testing.bookingList', { gridId: 'g-01', cursor: 'bm90LWpzb24' })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
  });

  it('refuses a booking for today, beyond a week, for someone else, or with an unknown reason', async () => {
    const h = inGrid('g-01')[7]!;
    const me = h.memberOpenids[0]!;
    const m = [h.members[0]!.id];
    expect(await t.call(me, 'testing.book', { date: chinaDayAfter(new Date(), 0), memberIds: m })).toMatchObject({
      code: 'COMMON.INVALID_INPUT',
    });
    expect(await t.call(me, 'testing.book', { date: chinaDayAfter(new Date(), 9), memberIds: m })).toMatchObject({
      code: 'COMMON.INVALID_INPUT',
    });
    expect(await t.call(me, 'testing.book', { date: tomorrow(), memberIds: ['nobody'] })).toMatchObject({
      code: 'COMMON.NOT_FOUND',
    });
    expect(await t.call(me, 'testing.book', { date: tomorrow(), memberIds: m, reason: 'vip' as never })).toMatchObject({
      code: 'COMMON.INVALID_INPUT',
    });
  });

  it('two gridworkers claim at once: exactly one wins; knock and close go through the claimer; the resident sees each step', async () => {
    const h = inGrid('g-01')[8]!;
    const resident = h.memberOpenids[0]!;
    await t.ok(resident, 'testing.book', { date: tomorrow(), memberIds: [h.members[0]!.id], reason: 'yellowCode' });
    const bookingId = `${tomorrow()}:${h._id}:${h.members[0]!.id}`;
    expect((await t.ok(resident, 'testing.myBookings', {}))[0]).toMatchObject({ id: bookingId, status: 'booked' });

    const [a, b] = await Promise.all([
      t.call('dev-gw-01', 'testing.claimBooking', { bookingId }),
      t.call('gw-b', 'testing.claimBooking', { bookingId }),
    ]);
    const wins = [a, b].filter((r) => r.ok);
    expect(wins).toHaveLength(1);
    const loser = [a, b].find((r) => !r.ok)!;
    expect(loser).toMatchObject({ ok: false, code: 'COMMON.CONFLICT' });
    const winner = a.ok ? 'dev-gw-01' : 'gw-b';
    const other = a.ok ? 'gw-b' : 'dev-gw-01';
    // A retried claim by the winner answers it as it is.
    expect(await t.ok(winner, 'testing.claimBooking', { bookingId })).toMatchObject({ status: 'claimed', mine: true });
    expect((await t.ok(other, 'testing.bookingList', { gridId: 'g-01', status: 'claimed' })).items).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: bookingId, mine: false, claimedBy: expect.any(String) })]),
    );
    expect((await t.ok(resident, 'testing.myBookings', {}))[0]).toMatchObject({ status: 'claimed' });

    // Only the claimer knocks and closes; another grid's gridworker is refused outright.
    expect(await t.call(other, 'testing.knockBooking', { bookingId, status: 'notHome' })).toMatchObject({
      code: 'COMMON.CONFLICT',
    });
    expect(await t.call('dev-gw-02', 'testing.knockBooking', { bookingId, status: 'notHome' })).toMatchObject({
      code: 'AUTH.NOT_GRIDWORKER',
    });
    expect(await t.ok(winner, 'testing.knockBooking', { bookingId, status: 'notHome' })).toMatchObject({
      status: 'visited',
      knock: 'notHome',
    });
    expect((await t.ok(resident, 'testing.myBookings', {}))[0]).toMatchObject({ status: 'visited', knock: 'notHome' });
    expect(await t.ok(winner, 'testing.closeBooking', { bookingId, outcome: 'sampled' })).toMatchObject({
      status: 'closed',
      outcome: 'sampled',
    });
    // A retried close answers the same; the resident can no longer cancel, and a closed one is not reclaimed.
    expect(await t.ok(winner, 'testing.closeBooking', { bookingId, outcome: 'sampled' })).toMatchObject({
      status: 'closed',
    });
    expect(await t.call(resident, 'testing.cancelBooking', { bookingId })).toMatchObject({ code: 'COMMON.CONFLICT' });
    expect(await t.call(other, 'testing.claimBooking', { bookingId })).toMatchObject({ code: 'COMMON.CONFLICT' });
    expect((await t.ok(resident, 'testing.myBookings', {}))[0]).toMatchObject({ status: 'closed', outcome: 'sampled' });
    // Booking the same day again leaves the closed one as it is.
    await t.ok(resident, 'testing.book', { date: tomorrow(), memberIds: [h.members[0]!.id], reason: 'other' });
    expect((await t.ok(resident, 'testing.myBookings', {}))[0]).toMatchObject({
      status: 'closed',
      reason: 'yellowCode',
    });
  });

  it('a resident cancels and books again; only their own household’s bookings are theirs', async () => {
    const [h, stranger] = inGrid('g-02');
    const me = h!.memberOpenids[0]!;
    await t.ok(me, 'testing.book', { date: tomorrow(), memberIds: [h!.members[0]!.id], reason: 'isolationEnd' });
    const bookingId = `${tomorrow()}:${h!._id}:${h!.members[0]!.id}`;
    expect(await t.call(stranger!.memberOpenids[0]!, 'testing.cancelBooking', { bookingId })).toMatchObject({
      code: 'COMMON.NOT_FOUND',
    });
    expect(await t.ok(stranger!.memberOpenids[0]!, 'testing.myBookings', {})).toEqual([]);
    expect(await t.ok(me, 'testing.cancelBooking', { bookingId })).toMatchObject({ status: 'cancelled' });
    expect(await t.ok(me, 'testing.cancelBooking', { bookingId })).toMatchObject({ status: 'cancelled' });
    expect(await t.call('dev-gw-02', 'testing.claimBooking', { bookingId })).toMatchObject({ code: 'COMMON.CONFLICT' });
    await t.ok(me, 'testing.book', { date: tomorrow(), memberIds: [h!.members[0]!.id], reason: 'spatiotemporal' });
    expect((await t.ok(me, 'testing.myBookings', {}))[0]).toMatchObject({ status: 'booked', reason: 'spatiotemporal' });
  });
});

describe('重点人员 ledger', () => {
  it('the grid’s gridworker keeps it; the admin sees it; group leaders, other grids and residents do not', async () => {
    const h = inGrid('g-03')[0]!;
    const input = {
      householdId: h._id,
      memberId: h.members[0]!.id,
      kinds: ['returnee', 'homeIsolation'] as Array<'returnee' | 'homeIsolation'>,
      from: '北京',
      returnedOn: chinaDayAfter(new Date(), -1),
      isolationStart: chinaDayAfter(new Date(), -1),
      isolationEnd: chinaDayAfter(new Date(), 6),
      codeColor: 'yellow' as const,
    };
    const saved = await t.ok('dev-gw-03', 'testing.saveKeyPerson', input);
    expect(saved).toMatchObject({ isolating: true, codeColor: 'yellow', checkedToday: false, checks: 0 });
    expect(saved.nameMasked).not.toBe(h.members[0]!.name);
    for (const who of ['dev-gw-01', 'dev-gl-03', h.memberOpenids[0]!])
      expect(await t.call(who, 'testing.saveKeyPerson', input)).toMatchObject({ code: 'AUTH.NOT_GRIDWORKER' });
    expect(await t.call('dev-gw-01', 'testing.keyPersons', { gridId: 'g-03' })).toMatchObject({
      code: 'AUTH.NOT_GRIDWORKER',
    });
    expect(await t.call('dev-gl-03', 'testing.keyPersons', { gridId: 'g-03' })).toMatchObject({
      code: 'AUTH.NOT_GRIDWORKER',
    });
    const admin = await t.ok('dev-admin', 'testing.keyPersons', { gridId: 'g-03' });
    expect(admin.items.map((p) => p.id)).toEqual([saved.id]);
    expect(admin.counts).toMatchObject({ total: 1, isolating: 1, yellow: 1, checkedToday: 0 });
    // Isolation needs both ends, in order.
    expect(
      await t.call('dev-gw-03', 'testing.saveKeyPerson', { ...input, isolationEnd: chinaDayAfter(new Date(), -5) }),
    ).toMatchObject({ code: 'COMMON.INVALID_INPUT' });
    expect(await t.call('dev-gw-03', 'testing.saveKeyPerson', { ...input, isolationEnd: null })).toMatchObject({
      code: 'COMMON.INVALID_INPUT',
    });
  });

  it('takes one check-in per person per China day, however often it is tapped', async () => {
    const h = inGrid('g-03')[1]!;
    const person = await t.ok('dev-gw-03', 'testing.saveKeyPerson', {
      householdId: h._id,
      memberId: h.members[0]!.id,
      kinds: ['returnee'],
      codeColor: 'yellow',
    });
    const taps = await Promise.all(
      [0, 1, 2].map(() =>
        t.ok('dev-gw-03', 'testing.checkKeyPerson', { personId: person.id, codeColor: 'green', symptoms: false }),
      ),
    );
    expect(taps.filter((x) => !x.duplicate)).toHaveLength(1);
    const list = await t.ok('dev-gw-03', 'testing.keyPersons', { gridId: 'g-03' });
    expect(list.items.find((p) => p.id === person.id)).toMatchObject({
      checkedToday: true,
      checks: 1,
      codeColor: 'green',
    });
    expect((await t.db.collection('keyPersonChecks').where({ personId: person.id }).count()).total).toBe(1);
    expect(
      await t.call('dev-gw-01', 'testing.checkKeyPerson', { personId: person.id, codeColor: 'red', symptoms: true }),
    ).toMatchObject({ code: 'AUTH.NOT_GRIDWORKER' });
  });
});

describe('personal codes sheet', () => {
  it('gives the grid’s staff one signed code per member, names masked; other grids are refused', async () => {
    const h = inGrid('g-01')[10]!;
    const sheet = await t.ok('dev-gl-01', 'testing.householdCodes', { householdId: h._id });
    expect(sheet.codes).toHaveLength(h.members.length);
    expect(sheet.codes[0]!.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(sheet.codes.map((c) => c.nameMasked)).not.toContain(h.members[0]!.name);
    expect(readPersonCode(sheet.codes[0]!.token, cardKeys().publicKeys)).toMatchObject({
      h: h._id,
      m: h.members[0]!.id,
    });
    expect(await t.call('dev-gw-02', 'testing.householdCodes', { householdId: h._id })).toMatchObject({
      code: 'AUTH.NOT_GRIDWORKER',
    });
  });
});

describe('代下单 slip', () => {
  it('shows the grid’s gridworker the 取货码, items and round of an order placed for a household; not other grids', async () => {
    const h = inGrid('g-02')[3]!;
    const placed = await t.call(
      'dev-gw-02',
      'order.place',
      {
        kind: 'medicine',
        medicine: { description: '降压药 一盒', urgency: 'normal' },
        payment: 'cashOnDelivery',
        contactless: false,
        forHouseholdId: h._id,
      },
      'slip-order-1',
    );
    if (!placed.ok) throw new Error(`order.place: ${placed.code} ${placed.message}`);
    const slips = await t.ok('dev-gw-02', 'testing.orderSlips', { gridId: 'g-02', orderId: placed.data.id });
    expect(slips.items).toHaveLength(1);
    const order = (
      (await t.db.collection('orders').doc(placed.data.id).get()).data as Array<{ handoverCode?: string }>
    )[0]!;
    expect(slips.items[0]).toMatchObject({
      orderId: placed.data.id,
      code: order.handoverCode ?? null,
      payment: '货到付现金',
    });
    expect(slips.items[0]!.headNameMasked).not.toBe(h.headName);
    expect(await t.ok('dev-admin', 'testing.orderSlips', { gridId: 'g-02' })).toMatchObject({ total: 1 });
    expect(await t.call('dev-gw-01', 'testing.orderSlips', { gridId: 'g-02' })).toMatchObject({
      code: 'AUTH.NOT_GRIDWORKER',
    });
    expect(await t.call('dev-gl-02', 'testing.orderSlips', { gridId: 'g-02' })).toMatchObject({
      code: 'AUTH.NOT_GRIDWORKER',
    });
    // A resident's own order is no slip: only orders placed for them.
    const own = await t.call(
      h.memberOpenids[0]!,
      'order.place',
      {
        kind: 'medicine',
        medicine: { description: '感冒药', urgency: 'normal' },
        payment: 'cashOnDelivery',
        contactless: true,
      },
      'slip-order-2',
    );
    expect(own.ok).toBe(true);
    expect((await t.ok('dev-gw-02', 'testing.orderSlips', { gridId: 'g-02' })).total).toBe(1);
  });
});

describe('special needs of a household without WeChat', () => {
  it('are recorded by the grid’s staff only with the consent heard beside them, and withdrawn with it', async () => {
    // Every household of this seed joined: the grid's last one (no other test uses it) loses its WeChat.
    const offline = inGrid('g-01').at(-1)!;
    await t.db.collection('households').doc(offline._id).update({ memberOpenids: [] });
    const m = offline.members[0]!.id;
    const needs = { householdId: offline._id, members: [{ memberId: m, needs: ['elderlyAlone' as const] }] };
    expect(await t.call('dev-gw-01', 'testing.recordNeeds', needs)).toMatchObject({ code: 'PRIVACY.CONSENT_REQUIRED' });
    const consent = { heardFrom: '户主本人', method: 'visit' as const, heardOn: chinaDayAfter(new Date(), 0) };
    expect(
      await t.call('dev-gw-01', 'testing.recordNeeds', {
        ...needs,
        consent: { ...consent, heardOn: chinaDayAfter(new Date(), 2) },
      }),
    ).toMatchObject({ code: 'COMMON.INVALID_INPUT' });
    expect(await t.call('dev-gw-02', 'testing.recordNeeds', { ...needs, consent })).toMatchObject({
      code: 'AUTH.NOT_GRIDWORKER',
    });
    const saved = await t.ok('dev-gw-01', 'testing.recordNeeds', { ...needs, consent });
    expect(saved.members.find((x) => x.memberId === m)?.needs).toEqual(['elderlyAlone']);
    expect(saved.consent).toMatchObject({ heardFrom: '户主本人', method: 'visit', heardOn: consent.heardOn });
    const stored = ((await t.db.collection('households').doc(offline._id).get()).data as HouseholdDoc[])[0]!;
    expect(stored).toMatchObject({ priority: true, heardConsent: { recordedBy: 'dev-gw-01' } });
    expect(stored.sensitiveConsentAt).not.toBeNull();
    expect((await t.ok('dev-gl-01', 'testing.householdNeeds', { householdId: offline._id })).consent).not.toBeNull();
    // No needs left: the consent and its record go too.
    const cleared = await t.ok('dev-gw-01', 'testing.recordNeeds', {
      householdId: offline._id,
      members: offline.members.map((x) => ({ memberId: x.id, needs: [] })),
    });
    expect(cleared.consent).toBeNull();
    const after = ((await t.db.collection('households').doc(offline._id).get()).data as HouseholdDoc[])[0]!;
    expect(after).toMatchObject({ sensitiveConsentAt: null, heardConsent: null, priority: false });
  });

  it('are refused for a household that uses the app (it consents itself)', async () => {
    const h = inGrid('g-01')[12]!;
    expect(
      await t.call('dev-gw-01', 'testing.recordNeeds', {
        householdId: h._id,
        members: [{ memberId: h.members[0]!.id, needs: ['disabled'] }],
        consent: { heardFrom: '户主本人', method: 'phone', heardOn: chinaDayAfter(new Date(), 0) },
      }),
    ).toMatchObject({ code: 'COMMON.CONFLICT' });
  });
});
