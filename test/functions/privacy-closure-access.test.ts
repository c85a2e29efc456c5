/** @jest-environment node */
/**
 * Account closure (注销) and the access log (issue 14, PIPL): a resident closes their own account —
 * their personal data goes, their orders stay anonymised for the round's accounts, other people's
 * data is untouched; staff and registered volunteers are refused. Every request that shows unmasked
 * phones or addresses writes one access-log entry (masked views write none), which only the
 * community admin reads, by name, newest first, and which expires after the retention period.
 */
import { runTimer } from '../../localcloud/invoke';
import { CLOSED_ACCOUNT } from '../../core/privacy/closure';
import type { AccessLogDoc, HouseholdDoc, JobDoc, OrderDoc, VolunteerDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';
import { chinaDayAfter } from '../../miniprogram/utils/format';

jest.setTimeout(120_000);

let t: TestCloud;
const ADMIN = 'dev-admin';
const GW = 'dev-gw-01';
let households: HouseholdDoc[];
let counter = 0;
const rid = () => `closure-${String((counter += 1)).padStart(4, '0')}`;

async function upload(path: string): Promise<string> {
  const form = new FormData();
  form.append('cloudPath', path);
  form.append('file', new Blob([Buffer.from(`photo ${path}`)]), 'photo.jpg');
  const res = await fetch(`${t.cloud.url}/storage/upload`, { method: 'POST', body: form });
  return ((await res.json()) as { data: { fileID: string } }).data.fileID;
}
const stored = async (fileId: string) => (await fetch(fileId)).status === 200;
const count = async (collection: string, where: object = {}) =>
  (await t.db.collection(collection).where(where).count()).total ?? 0;
const one = async <T>(collection: string, id: string) =>
  ((await t.db.collection(collection).doc(id).get()).data as T[])[0];
const logOf = async (viewer: string) =>
  (await t.db.collection('accessLog').where({ viewer }).get()).data as AccessLogDoc[];

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 2, households: 60, joinedShare: 1 } });
  households = (await t.db.collection('households').where({ gridId: 'g-01' }).limit(100).get()).data as HouseholdDoc[];
}, 120_000);
afterAll(() => t.close());

/** A joined household of 第1网格 not used by another test yet. */
const used = new Set<string>();
function household(pred: (h: HouseholdDoc) => boolean = () => true): HouseholdDoc {
  const h = households.find((x) => x.memberOpenids.length === 1 && !used.has(x._id) && pred(x));
  if (!h) throw new Error('no household left');
  used.add(h._id);
  return h;
}

describe('closing an account (注销)', () => {
  it('deletes the last member’s household with its health data, anonymises its orders, deletes its photos, and touches nobody else', async () => {
    const h = household((x) => x.priority && Boolean(x.sensitiveConsentAt));
    const me = h.memberOpenids[0]!;
    const other = household();
    const rx = await upload('prescriptions/closure-rx.jpg');
    const order = await t.ok(
      me,
      'order.place',
      {
        kind: 'medicine',
        medicine: { description: '降压药 一盒', urgency: 'normal', prescriptionFileId: rx },
        payment: 'cashOnDelivery',
        contactless: true,
        note: '放门口，电话 13800001111',
      },
      rid(),
    );
    const theirs = await t.ok(
      other.memberOpenids[0]!,
      'order.place',
      { kind: 'loveBag', payment: 'free', contactless: true, note: '谢谢' },
      rid(),
    );
    await t.db.collection('orders').doc(order.id).update({ status: 'received', handoverCode: '1234' });
    // Their health and special-needs data, and what is theirs alone.
    const round = await t.ok(ADMIN, 'testing.openRound', {
      name: '注销轮',
      date: chinaDayAfter(new Date(), 1),
      points: ['上门'],
      validHours: 48,
    });
    for (const x of [h, other])
      await t.ok(ADMIN, 'testing.record', {
        roundId: round.id,
        point: '上门',
        householdId: x._id,
        memberId: x.members[0]!.id,
      });
    await t.ok(me, 'testing.book', { date: chinaDayAfter(new Date(), 1), memberIds: [h.members[0]!.id] });
    const needy = h.members.find((m) => m.needs.length)!;
    await t.ok(GW, 'grid.saveCare', {
      householdId: h._id,
      memberId: needy.id,
      dialysisWeekdays: [1],
      refillEveryDays: 30,
      lastRefillOn: null,
    });
    await t.ok(GW, 'grid.recordContact', { householdId: h._id, method: 'visit' });
    await t.db
      .collection('joinRequests')
      .add({ _id: 'closure-join', openid: me, headName: '本人', phone: '13800001111' });
    await t.db.collection('outbox').add({ _id: 'closure-msg', openid: me, template: 'notice', data: {} });
    // The 重点人员 ledger of the household with a day's check-in, and their group-member match.
    await t.db
      .collection('keyPersons')
      .add({ _id: 'closure-kp', communityId: 'c-xingfu', gridId: 'g-01', householdId: h._id });
    await t.db
      .collection('keyPersonChecks')
      .add({ _id: 'closure-kpc', personId: 'closure-kp', communityId: 'c-xingfu', gridId: 'g-01', day: '2022-08-01' });
    await t.db.collection('groupMembers').add({ _id: 'closure-gm', openid: me, gridId: 'g-01', householdId: h._id });
    await t.db.collection('jobs').add({
      _id: 'closure-job',
      communityId: 'c-xingfu',
      gridId: 'g-01',
      stops: [
        { orderId: order.id, householdId: h._id, notify: [me], priority: true },
        { orderId: theirs.id, householdId: other._id, notify: [other.memberOpenids[0]], priority: false },
      ],
      status: 'done',
    });
    const gridBefore = (await one<{ householdCount: number }>('grids', 'g-01'))!.householdCount;
    const otherOrderBefore = await one<OrderDoc>('orders', theirs.id);
    const otherHouseholdBefore = await one<HouseholdDoc>('households', other._id);

    const res = await t.ok(me, 'user.close', { confirm: true });
    expect(res).toMatchObject({ closed: true, household: 'deleted', ordersAnonymised: 1, files: 1 });

    // Their data is gone.
    expect(await one('users', me)).toBeUndefined();
    expect(await one('households', h._id)).toBeUndefined();
    for (const collection of ['samples', 'bookings', 'careNeeds', 'contacts', 'knocks'])
      expect({ collection, n: await count(collection, { householdId: h._id }) }).toEqual({ collection, n: 0 });
    expect(await count('joinRequests', { openid: me })).toBe(0);
    expect(await count('outbox', { openid: me })).toBe(0);
    expect(await count('keyPersons', { householdId: h._id })).toBe(0);
    expect(await count('keyPersonChecks', { personId: 'closure-kp' })).toBe(0);
    expect(await count('groupMembers', { openid: me })).toBe(0);
    expect(await stored(rx)).toBe(false);
    expect((await one<{ householdCount: number }>('grids', 'g-01'))!.householdCount).toBe(gridBefore - 1);

    // The order stays for the round's accounts, without anything that points to them.
    const anon = (await one<OrderDoc>('orders', order.id))!;
    expect(JSON.stringify(anon)).not.toContain(me);
    expect(JSON.stringify(anon)).not.toContain('13800001111');
    expect(anon).toMatchObject({
      placedBy: CLOSED_ACCOUNT,
      note: '',
      handoverCode: null,
      medicine: { description: '（已删除）', prescriptionFileId: null },
      status: 'received',
      kind: 'medicine',
      gridId: 'g-01',
    });
    const job = (await one<JobDoc>('jobs', 'closure-job'))!;
    expect(job.stops[0]!.notify).toEqual([]);
    expect(job.stops[1]!.notify).toEqual([other.memberOpenids[0]]);

    // Nobody else's data moved.
    expect(await one<OrderDoc>('orders', theirs.id)).toEqual(otherOrderBefore);
    expect(await one<HouseholdDoc>('households', other._id)).toEqual(otherHouseholdBefore);
    expect(await count('samples', { householdId: other._id })).toBe(1);

    // A retried closure finds nothing left to close.
    expect(await t.ok(me, 'user.close', { confirm: true })).toMatchObject({ closed: false, household: 'none' });
  });

  it('keeps a household others still live in, without this person; their orders stay as they were', async () => {
    const h = household();
    const stay = h.memberOpenids[0]!;
    const leaver = 'closure-leaver';
    await t.db
      .collection('users')
      .doc(leaver)
      .set({
        nickName: '家人',
        roles: ['resident'],
        communityId: 'c-xingfu',
        adminGridIds: [],
        householdId: h._id,
        createdAt: new Date().toISOString(),
      });
    await t.db
      .collection('households')
      .doc(h._id)
      .update({ memberOpenids: t.db.command.addToSet(leaver) });
    const mine = await t.ok(
      leaver,
      'order.place',
      { kind: 'loveBag', payment: 'free', contactless: true, note: '家人下单' },
      rid(),
    );
    const theirs = await t.ok(
      stay,
      'order.place',
      { kind: 'gas', payment: 'cashOnDelivery', contactless: true },
      rid(),
    );
    await t.db.collection('orders').doc(mine.id).update({ status: 'cancelled' });
    const theirsBefore = await one<OrderDoc>('orders', theirs.id);
    // An order under way is theirs to finish first.
    await t.db.collection('orders').doc(mine.id).update({ status: 'submitted' });
    expect(await t.call(leaver, 'user.close', { confirm: true })).toMatchObject({ ok: false, code: 'COMMON.CONFLICT' });
    expect(await one('users', leaver)).toBeDefined();
    await t.db.collection('orders').doc(mine.id).update({ status: 'cancelled' });

    expect(await t.ok(leaver, 'user.close', { confirm: true })).toMatchObject({
      closed: true,
      household: 'left',
      ordersAnonymised: 1,
    });
    const kept = (await one<HouseholdDoc>('households', h._id))!;
    expect(kept.memberOpenids).toEqual([stay]);
    expect(kept.members).toEqual(h.members);
    expect(await one<OrderDoc>('orders', theirs.id)).toEqual(theirsBefore);
    expect((await one<OrderDoc>('orders', mine.id))!).toMatchObject({ placedBy: CLOSED_ACCOUNT, note: '' });
    expect(await one('users', leaver)).toBeUndefined();
    expect(await one('users', stay)).toBeDefined();
  });

  it('refuses staff until their roles are removed, and registered volunteers until they leave', async () => {
    const gw = await t.call(GW, 'user.close', { confirm: true });
    expect(gw).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    expect(!gw.ok && gw.message).toContain('撤销您的角色');
    expect(await t.call(ADMIN, 'user.close', { confirm: true })).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    expect(await one('users', GW)).toBeDefined();

    // A volunteer: refused while registered, closed after leaving (registration, sign-ups, duty logs go).
    const vol = 'closure-volunteer';
    await t.ok(vol, 'volunteer.register', {
      name: '报到人',
      phone: '13912345602',
      partyMember: false,
      workUnit: '退休',
      communityId: 'c-xingfu',
      gridIds: ['g-01'],
      teamsWished: ['delivery'],
      skills: [],
      slots: ['morning'],
      health: { noSymptoms: true, noRiskContact: true, promise: true },
    });
    const refused = await t.call(vol, 'user.close', { confirm: true });
    expect(refused).toMatchObject({ ok: false, code: 'AUTH.FORBIDDEN' });
    expect(!refused.ok && refused.message).toContain('退出志愿者');
    await t.db.collection('dutyLogs').add({ _id: `${vol}:1`, volunteerId: vol, communityId: 'c-xingfu', minutes: 60 });
    await t.ok(vol, 'volunteer.leave', {});
    expect(await t.ok(vol, 'user.close', { confirm: true })).toMatchObject({ closed: true, household: 'none' });
    expect(await one<VolunteerDoc>('volunteers', vol)).toBeUndefined();
    expect(await count('dutyLogs', { volunteerId: vol })).toBe(0);
  });

  it('takes no target and no half-hearted confirmation: only the caller’s own account, only when confirmed', async () => {
    const h = household();
    const me = h.memberOpenids[0]!;
    for (const payload of [{}, { confirm: false }, { confirm: 'true' }, { confirm: true, openid: 'dev-res-0002' }])
      expect(await t.call(me, 'user.close', payload as never)).toMatchObject({
        ok: false,
        code: 'COMMON.INVALID_INPUT',
      });
    expect(await t.call(null, 'user.close', { confirm: true })).toMatchObject({ ok: false, code: 'AUTH.NO_IDENTITY' });
    expect(await one('users', me)).toBeDefined();
    expect((await one<HouseholdDoc>('households', h._id))!.memberOpenids).toEqual([me]);
  });
});

describe('the access log', () => {
  it('writes one entry per request that shows unmasked addresses or phones, none for masked views', async () => {
    await t.db.collection('accessLog').where({ viewer: GW }).remove();
    const before = t.cloud.db.stats().byCollection.accessLog?.writes ?? 0;
    const page = await t.ok(GW, 'grid.households', { gridId: 'g-01', limit: 20 });
    expect(page.items.length).toBe(20);
    let log = await logOf(GW);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatchObject({ view: 'grid.households', rows: 20, shown: ['address'], communityId: 'c-xingfu' });
    expect((t.cloud.db.stats().byCollection.accessLog?.writes ?? 0) - before).toBe(1);

    // Masked views: the dashboard, the purchase list (totals only), the grid's own page.
    await t.ok(GW, 'grid.dashboard', { gridId: 'g-01' });
    await t.ok(GW, 'dispatch.purchaseList', { roundId: 'round-001', gridId: 'g-01' });
    expect(await logOf(GW)).toHaveLength(1);

    // The packing list and its export are logged, each once.
    await t.ok(GW, 'dispatch.packingList', { roundId: 'round-001', gridId: 'g-01', withSubmitted: true });
    await t.ok(GW, 'dispatch.exportLists', {
      roundId: 'round-001',
      gridId: 'g-01',
      list: 'packing',
      withSubmitted: true,
    });
    log = await logOf(GW);
    expect(log.map((e) => e.view).sort()).toEqual(['dispatch.exportLists', 'dispatch.packingList', 'grid.households']);
  });

  it('logs the phones and addresses a volunteer sees on the job they hold, nothing for one they do not', async () => {
    const h = household();
    const order = await t.ok(
      h.memberOpenids[0]!,
      'order.place',
      { kind: 'loveBag', payment: 'free', contactless: true },
      rid(),
    );
    const vols = (await t.db.collection('volunteers').where({ status: 'approved', team: 'delivery' }).get())
      .data as VolunteerDoc[];
    const [holder, bystander] = vols.filter((v) => v.gridIds.includes('g-01'));
    await t.db.collection('jobs').add({
      _id: 'log-job',
      communityId: 'c-xingfu',
      gridId: 'g-01',
      roundId: 'round-001',
      buildingIds: [h.buildingId],
      buildingNames: ['1号楼'],
      title: '1号楼 · 1户',
      stops: [
        {
          orderId: order.id,
          householdId: h._id,
          buildingId: h.buildingId,
          room: h.room,
          floor: h.floor,
          weightKg: 3,
          priority: false,
          medicine: false,
          lines: [],
          notify: [],
        },
      ],
      orderIds: [order.id],
      pending: [order.id],
      weightKg: 3,
      status: 'assigned',
      volunteerId: holder!._id,
      reason: '测试',
      assignedAt: new Date().toISOString(),
      pickupBy: null,
      pickedUpAt: null,
      pickupShortfall: [],
      history: [],
      createdAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
    });
    const seen = await t.ok(holder!._id, 'dispatch.job', { jobId: 'log-job' });
    expect(seen.stops[0]!.phone).toBe(h.phone);
    expect(await logOf(holder!._id)).toEqual([
      expect.objectContaining({ view: 'dispatch.job', shown: ['phone', 'address'], rows: 1, subject: '1号楼 · 1户' }),
    ]);
    const masked = await t.ok(bystander!._id, 'dispatch.job', { jobId: 'log-job' });
    expect(masked.stops[0]!.phone).toBeNull();
    await t.ok(bystander!._id, 'dispatch.myJobs', {});
    expect(await logOf(bystander!._id)).toEqual([]);
  });

  it('shows the admin alone the log, newest first, by name, a page at a time; entries expire after the retention period', async () => {
    await t.ok(ADMIN, 'volunteer.contact', { volunteerId: 'dev-vol-001' });
    for (const who of [GW, 'dev-vol-001', households[0]!.memberOpenids[0]!])
      expect(await t.call(who, 'org.accessLog', {})).toMatchObject({ ok: false, code: 'AUTH.NOT_ADMIN' });
    const first = await t.ok(ADMIN, 'org.accessLog', { limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.items[0]).toMatchObject({
      view: 'volunteer.contact',
      shown: ['phone'],
      viewText: '志愿者电话（电话）',
    });
    expect(first.items[0]!.viewerName).not.toContain('dev-');
    const rest = await t.ok(ADMIN, 'org.accessLog', { cursor: first.nextCursor!, limit: 100 });
    const all = [...first.items, ...rest.items];
    expect(all.length).toBe(first.total);
    expect(all.map((e) => e.at)).toEqual([...all.map((e) => e.at)].sort().reverse());
    for (const e of all) expect(e.viewerName).not.toMatch(/^dev-|^closure-/);
    const gwRow = all.find((e) => e.view === 'grid.households')!;
    const gwName = ((await one<{ nickName: string }>('users', GW)) as { nickName: string }).nickName;
    expect(gwRow.viewerName).toBe(gwName);

    // Older than the retention period (30 days by default): deleted by the timer; the rest stays.
    await t.db.collection('accessLog').add({
      _id: 'old-entry',
      communityId: 'c-xingfu',
      viewer: GW,
      view: 'grid.households',
      shown: ['address'],
      rows: 3,
      subject: '第1网格',
      at: new Date(Date.now() - 31 * 86_400_000).toISOString(),
    });
    const total = await count('accessLog');
    expect(await runTimer('org', 'purge')).toMatchObject({ ok: true, data: { accessLogDeleted: 1 } });
    expect(await one('accessLog', 'old-entry')).toBeUndefined();
    expect(await count('accessLog')).toBe(total - 1);
  });
});
