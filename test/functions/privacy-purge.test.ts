/** @jest-environment node */
/**
 * The end of the emergency (issue 14, PIPL): the admin declares it over, sees what the purge will
 * delete (a dry run that writes nothing), may undo it before the purge; after the retention period
 * the purge timer deletes health and special-needs data — documents and photo files — in batches,
 * keeps anonymous per-grid, per-day aggregates, writes one record, survives a crash halfway and
 * deletes nothing twice. Another community's data is untouched.
 */
import { runTimer } from '../../localcloud/invoke';
import { PURGE_PLAN } from '../../core/privacy/purge';
import { purgeTick } from '../../server/functions/org/purge';
import type { CallContext } from '../../server/lib/define-function';
import type {
  DailyAggregateDoc,
  EmergencyEndDoc,
  HouseholdDoc,
  JobDoc,
  OrderDoc,
  PurgeRecordDoc,
  VolunteerDoc,
} from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';
import { chinaDayAfter } from '../../miniprogram/utils/format';

jest.setTimeout(120_000);

let t: TestCloud;
const ADMIN = 'dev-admin';
const GW = 'dev-gw-01';
const DAY = 86_400_000;

/** Uploads a photo to the local cloud's storage as the page would; answers its file id. */
async function upload(path: string): Promise<string> {
  const form = new FormData();
  form.append('cloudPath', path);
  form.append('file', new Blob([Buffer.from(`photo ${path}`)]), 'photo.jpg');
  const res = await fetch(`${t.cloud.url}/storage/upload`, { method: 'POST', body: form });
  const body = (await res.json()) as { ok: boolean; data: { fileID: string } };
  return body.data.fileID;
}
const stored = async (fileId: string) => (await fetch(fileId)).status === 200;

const count = async (collection: string, where: object = {}) =>
  (await t.db.collection(collection).where(where).count()).total ?? 0;
const one = async <T>(collection: string, id: string) =>
  ((await t.db.collection(collection).doc(id).get()).data as T[])[0];

/** A timer context at a given time (the purge reads only `now` and the database from it). */
const at = (now: Date): CallContext => ({
  caller: null,
  requestId: null,
  now,
  db: t.db,
  invocationId: `tick-${now.getTime()}`,
});

let files: string[] = [];
let priorityHousehold: HouseholdDoc;
let samplesBefore = 0;

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 2, households: 60, joinedShare: 1 } });
  const households = (await t.db.collection('households').where({ gridId: 'g-01' }).limit(100).get())
    .data as HouseholdDoc[];
  const joined = households.filter((h) => h.memberOpenids.length > 0);
  priorityHousehold = households.find(
    (h) => h.priority && h.sensitiveConsentAt && h.memberOpenids.length,
  ) as HouseholdDoc;
  expect(priorityHousehold).toBeDefined();
  const resident = joined.find((h) => h._id !== priorityHousehold._id) as HouseholdDoc;

  // A medicine order with a prescription photo, and a delivered order with a doorstep photo.
  const prescription = await upload('prescriptions/rx-0001.jpg');
  const proof = await upload('proofs/door-0001.jpg');
  files = [prescription, proof];
  await t.ok(
    resident.memberOpenids[0]!,
    'order.place',
    {
      kind: 'medicine',
      medicine: { description: '胰岛素 两盒', urgency: 'urgent', prescriptionFileId: prescription },
      payment: 'cashOnDelivery',
      contactless: true,
    },
    'purge-order-0001',
  );
  const bag = await t.ok(
    priorityHousehold.memberOpenids[0]!,
    'order.place',
    { kind: 'loveBag', payment: 'free', contactless: true },
    'purge-order-0002',
  );
  await t.db.collection('orders').doc(bag.id).update({ status: 'delivered', proofFileId: proof });

  // Samples, a result, a booking, a door knock; a care record and a contact; a volunteer's health declaration.
  const round = await t.ok(ADMIN, 'testing.openRound', {
    name: '第9轮',
    date: chinaDayAfter(new Date(), 1),
    points: ['上门'],
    validHours: 48,
  });
  for (const h of joined.slice(0, 4))
    await t.ok(ADMIN, 'testing.record', {
      roundId: round.id,
      point: '上门',
      householdId: h._id,
      memberId: h.members[0]!.id,
    });
  await t.ok(GW, 'testing.recordResult', {
    roundId: round.id,
    householdId: joined[0]!._id,
    memberId: joined[0]!.members[0]!.id,
    result: 'positive',
  });
  await t.ok(resident.memberOpenids[0]!, 'testing.book', {
    date: chinaDayAfter(new Date(), 1),
    memberIds: [resident.members[0]!.id],
  });
  await t.ok(GW, 'testing.knock', { roundId: round.id, householdId: joined[5]!._id, status: 'notHome' });
  // 重点人员 (issue 12): a ledger entry and its day's check-in.
  const keyPerson = await t.ok(GW, 'testing.saveKeyPerson', {
    householdId: joined[6]!._id,
    memberId: joined[6]!.members[0]!.id,
    kinds: ['returnee'],
    codeColor: 'yellow',
  });
  await t.ok(GW, 'testing.checkKeyPerson', { personId: keyPerson.id, codeColor: 'green', symptoms: false });
  const needy = priorityHousehold.members.find((m) => m.needs.length) as HouseholdDoc['members'][number];
  await t.ok(GW, 'grid.saveCare', {
    householdId: priorityHousehold._id,
    memberId: needy.id,
    dialysisWeekdays: [2, 5],
    refillEveryDays: 30,
    lastRefillOn: null,
  });
  await t.ok(GW, 'grid.recordContact', { householdId: priorityHousehold._id, method: 'phone' });
  await t.ok('purge-volunteer', 'volunteer.register', {
    name: '报到人',
    phone: '13912345601',
    partyMember: false,
    workUnit: '退休',
    communityId: 'c-xingfu',
    gridIds: ['g-01'],
    teamsWished: ['delivery'],
    skills: [],
    slots: ['morning'],
    health: { noSymptoms: true, noRiskContact: true, promise: true },
  });
  // A job whose stop carries the priority flag.
  await t.db.collection('jobs').add({
    _id: 'purge-job',
    communityId: 'c-xingfu',
    gridId: 'g-01',
    stops: [{ orderId: bag.id, householdId: priorityHousehold._id, priority: true, medicine: false, notify: [] }],
    status: 'done',
  });
  // Another community's health data: never the purge's business.
  await t.db.collection('grids').add({ _id: 'g-other', communityId: 'c-other', name: '别的网格', buildingIds: [] });
  await t.db
    .collection('samples')
    .add({ _id: 'other-sample', communityId: 'c-other', gridId: 'g-other', result: null });
  await t.db
    .collection('contacts')
    .add({ _id: 'other-contact', gridId: 'g-other', householdId: 'h-x', day: '2022-08-01' });
  await t.db.collection('careNeeds').add({ _id: 'other-care', communityId: 'c-other', gridId: 'g-other' });
  // A group member matched to a household (consented): it goes with the purge, the other community's stays.
  await t.db.collection('groupMembers').add([
    {
      _id: 'gm-1',
      openGId: 'G1',
      groupOpenid: 'go-1',
      openid: 'o-x',
      communityId: 'c-xingfu',
      gridId: 'g-01',
      householdId: 'h-1',
      matchedAt: '2022-08-01T00:00:00.000Z',
    },
    {
      _id: 'gm-other',
      openGId: 'G2',
      groupOpenid: 'go-2',
      openid: 'o-y',
      communityId: 'c-other',
      gridId: 'g-other',
      householdId: 'h-x',
      matchedAt: '2022-08-01T00:00:00.000Z',
    },
  ]);
  samplesBefore = await count('samples', { communityId: 'c-xingfu' });
}, 120_000);
afterAll(() => t.close());

/** What each step of the plan would take, counted directly. */
async function directCounts(): Promise<Record<string, number>> {
  const _ = t.db.command;
  const grids = { gridId: _.in(['g-01', 'g-02']) };
  const c = 'c-xingfu';
  return {
    samples: await count('samples', { communityId: c }),
    bookings: await count('bookings', grids),
    knocks: await count('knocks', grids),
    keyPersonChecks: await count('keyPersonChecks', { communityId: c }),
    keyPersons: await count('keyPersons', { communityId: c }),
    careNeeds: await count('careNeeds', { communityId: c }),
    contacts: await count('contacts', grids),
    groupMembers: await count('groupMembers', grids),
    householdNeeds: await count(
      'households',
      _.and([{ communityId: c }, _.or([{ priority: true }, { sensitiveConsentAt: _.neq(null) }])]),
    ),
    volunteerHealth: await count('volunteers', { communityId: c, health: _.neq(null) }),
    prescriptions: await count('orders', { communityId: c, 'medicine.prescriptionFileId': _.neq(null) }),
    proofPhotos: await count('orders', { communityId: c, proofFileId: _.neq(null) }),
    medicineNotes: await count('orders', {
      communityId: c,
      kind: 'medicine',
      'medicine.description': _.nin(['（已删除）', null]),
    }),
    orderPriority: await count('orders', { communityId: c, priority: true }),
    jobPriority: await count('jobs', { communityId: c, 'stops.priority': true }),
  };
}

describe('the end of the emergency', () => {
  let dryRunCounts: Record<string, number> = {};

  it('shows the admin a dry run of every step and writes nothing to compute it', async () => {
    const writes = t.cloud.db.stats().writes;
    const view = await t.ok(ADMIN, 'org.emergency', {});
    expect(t.cloud.db.stats().writes).toBe(writes);
    expect(view.status).toBeNull();
    expect(view.canDeclare).toBe(true);
    expect(view.dryRun.steps.map((s) => s.id)).toEqual(PURGE_PLAN.map((s) => s.id));
    const direct = await directCounts();
    dryRunCounts = Object.fromEntries(view.dryRun.steps.map((s) => [s.id, s.count]));
    expect(dryRunCounts).toEqual(direct);
    // Everything seeded above is there to be purged.
    for (const id of Object.keys(direct)) expect({ id, n: direct[id]! > 0 }).toEqual({ id, n: true });
    expect(view.dryRun.files).toBe(2);
    expect(view.dryRun.documents).toBe(Object.values(direct).reduce((a, b) => a + b, 0));
    expect(view.keeps[0]).toContain('匿名统计');
  });

  it('lets only the community admin declare, undo and see the report', async () => {
    for (const who of [GW, 'dev-vol-001', priorityHousehold.memberOpenids[0]!]) {
      expect(await t.call(who, 'org.declareEnd', { retentionDays: 30 })).toMatchObject({
        ok: false,
        code: 'AUTH.NOT_ADMIN',
      });
      expect(await t.call(who, 'org.emergency', {})).toMatchObject({ ok: false, code: 'AUTH.NOT_ADMIN' });
      expect(await t.call(who, 'org.undoEnd', {})).toMatchObject({ ok: false, code: 'AUTH.NOT_ADMIN' });
    }
    expect(await t.call(ADMIN, 'org.declareEnd', { retentionDays: 0 })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    expect(await t.call(ADMIN, 'org.declareEnd', { retentionDays: 181 })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    expect(await count('emergencyEnds')).toBe(0);
  });

  it('declares the end with a retention period, tells residents, and can undo it before the purge', async () => {
    const declared = await t.ok(ADMIN, 'org.declareEnd', { retentionDays: 30 }, 'declare-end-0001');
    expect(declared).toMatchObject({ status: 'declared', retentionDays: 30, canUndo: true, canDeclare: false });
    expect(Date.parse(declared.purgeAt!) - Date.parse(declared.declaredAt!)).toBe(30 * DAY);
    // A retried tap declares once; a second declaration is refused.
    expect((await t.ok(ADMIN, 'org.declareEnd', { retentionDays: 30 }, 'declare-end-0001')).declarationId).toBe(
      declared.declarationId,
    );
    expect(await t.call(ADMIN, 'org.declareEnd', { retentionDays: 10 }, 'declare-end-0002')).toMatchObject({
      ok: false,
      code: 'COMMON.CONFLICT',
    });
    const notice = await t.ok(priorityHousehold.memberOpenids[0]!, 'user.retention', {});
    expect(notice).toMatchObject({ retentionDays: 30, purgeAt: declared.purgeAt, purgedAt: null });

    // Not due yet: the timer deletes nothing.
    expect(await runTimer('org', 'purge')).toMatchObject({ ok: true, data: { running: [], finished: [] } });
    expect(await count('samples', { communityId: 'c-xingfu' })).toBe(samplesBefore);

    const undone = await t.ok(ADMIN, 'org.undoEnd', {});
    expect(undone).toMatchObject({ status: 'undone', canUndo: false, canDeclare: true, purgeAt: null });
    expect((await t.ok(priorityHousehold.memberOpenids[0]!, 'user.retention', {})).purgeAt).toBeNull();
    // Undone: even long after, the purge does not run.
    expect((await purgeTick(at(new Date(Date.now() + 60 * DAY)))).running).toEqual([]);
    expect(await count('samples', { communityId: 'c-xingfu' })).toBe(samplesBefore);
  });

  it('after the retention period purges in batches, survives a crash halfway, keeps aggregates and writes one record', async () => {
    const declared = await t.ok(ADMIN, 'org.declareEnd', { retentionDays: 7 }, 'declare-end-0003');
    const later = new Date(Date.parse(declared.purgeAt!) + 60_000);
    const aggregatesBefore = await count('dailyAggregates');
    expect(aggregatesBefore).toBe(0);

    // A tick that dies after its second batch (the aggregates, then 2 of the samples).
    let batches = 0;
    await expect(
      purgeTick(at(later), {
        batchSize: 2,
        afterBatch: () => {
          batches += 1;
          if (batches === 2) throw new Error('function died');
        },
      }),
    ).rejects.toThrow('function died');
    const halfway = (await one<EmergencyEndDoc>('emergencyEnds', 'c-xingfu'))!;
    expect(halfway.status).toBe('purging');
    expect(halfway.planned).toEqual(dryRunCounts);
    expect(halfway.doneSteps).toContain('aggregates');
    expect(await count('samples', { communityId: 'c-xingfu' })).toBeLessThan(samplesBefore);
    expect(await count('samples', { communityId: 'c-xingfu' })).toBeGreaterThan(0);
    // Undo is no longer possible once the purge has begun.
    expect(await t.call(ADMIN, 'org.undoEnd', {})).toMatchObject({ ok: false, code: 'COMMON.CONFLICT' });

    // A short tick continues where it stopped, without finishing.
    const short = await purgeTick(at(later), { batchSize: 2, maxBatches: 2 });
    expect(short).toMatchObject({ batches: 2, finished: [] });

    // The platform's timer finishes it.
    const res = (await runTimer('org', 'purge')) as { ok: boolean; data: { finished: string[] } };
    expect(res).toMatchObject({ ok: true, data: { finished: [declared.declarationId] } });

    // Nothing of the plan is left in this community; the files are gone from storage.
    expect(Object.values(await directCounts()).every((n) => n === 0)).toBe(true);
    for (const f of files) expect(await stored(f)).toBe(false);
    const h = (await one<HouseholdDoc>('households', priorityHousehold._id))!;
    expect(h.members.every((m) => m.needs.length === 0 && m.needNote === undefined)).toBe(true);
    expect(h.members.map((m) => m.name)).toEqual(priorityHousehold.members.map((m) => m.name));
    expect(h).toMatchObject({ sensitiveConsentAt: null, priority: false, room: priorityHousehold.room });
    const v = await one<VolunteerDoc>('volunteers', 'purge-volunteer');
    expect(v).toMatchObject({ health: null, name: '报到人' });
    const medicine = (await t.db.collection('orders').where({ kind: 'medicine' }).get()).data as OrderDoc[];
    expect(
      medicine.every((o) => o.medicine?.description === '（已删除）' && o.medicine.prescriptionFileId === null),
    ).toBe(true);
    expect(medicine.every((o) => o.lines && typeof o.totalFen === 'number')).toBe(true);
    expect((await one<JobDoc>('jobs', 'purge-job'))!.stops[0]).toMatchObject({
      priority: false,
      orderId: expect.any(String),
    });

    // Another community's data is untouched.
    expect(await count('samples', { communityId: 'c-other' })).toBe(1);
    expect(await count('careNeeds', { communityId: 'c-other' })).toBe(1);
    expect(await count('contacts', { gridId: 'g-other' })).toBe(1);
    expect(await count('groupMembers', { gridId: 'g-other' })).toBe(1);

    // Anonymous aggregates per grid and day: the samples counted, nobody named.
    const aggregates = (await t.db.collection('dailyAggregates').where({ communityId: 'c-xingfu' }).get())
      .data as DailyAggregateDoc[];
    expect(aggregates.reduce((a, r) => a + r.sampled, 0)).toBe(samplesBefore);
    expect(aggregates.reduce((a, r) => a + r.positive, 0)).toBe(1);
    expect(aggregates.reduce((a, r) => a + r.careRecords, 0)).toBe(dryRunCounts.careNeeds);
    expect(aggregates.reduce((a, r) => a + r.ordersPlaced, 0)).toBeGreaterThanOrEqual(2);
    for (const a of aggregates) {
      expect(Object.keys(a).sort()).toEqual(
        [
          '_id',
          'communityId',
          'gridId',
          'day',
          'declarationId',
          'sampled',
          'negative',
          'positive',
          'homeSamplingBooked',
          'doorsKnocked',
          'householdsContacted',
          'ordersPlaced',
          'ordersDelivered',
          'medicineOrders',
          'priorityOrders',
          'specialNeedsHouseholds',
          'careRecords',
        ].sort(),
      );
      expect(a.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }

    // One record: what went (the counts taken when it began), when, by which declaration.
    const records = (await t.db.collection('purgeRecords').get()).data as PurgeRecordDoc[];
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      _id: declared.declarationId,
      declarationId: declared.declarationId,
      declaredBy: ADMIN,
      retentionDays: 7,
      counts: dryRunCounts,
      files: 2,
      aggregates: aggregates.length,
    });
    const view = await t.ok(ADMIN, 'org.emergency', {});
    expect(view).toMatchObject({ status: 'purged', canUndo: false, canDeclare: true });
    expect(view.records[0]).toMatchObject({ declarationId: declared.declarationId, files: 2 });
    expect(view.records[0]!.steps.find((s) => s.id === 'samples')?.count).toBe(samplesBefore);
    expect(view.dryRun.documents).toBe(0);
  });

  it('running again deletes nothing twice and writes no second record', async () => {
    const aggregates = await t.db.collection('dailyAggregates').get();
    const writes = t.cloud.db.stats().writes;
    expect(await purgeTick(at(new Date(Date.now() + 90 * DAY)))).toMatchObject({
      running: [],
      finished: [],
      batches: 0,
    });
    expect(await runTimer('org', 'purge')).toMatchObject({ ok: true, data: { running: [], finished: [] } });
    expect(t.cloud.db.stats().writes).toBe(writes);
    expect(await count('purgeRecords')).toBe(1);
    expect((await t.db.collection('dailyAggregates').get()).data).toEqual(aggregates.data);
  });

  it('never runs the purge for a client: only the platform timer', async () => {
    const { main } = await import('../../server/functions/org');
    const { platformContext } = await import('../../localcloud/invoke');
    expect(await main({ Type: 'Timer', TriggerName: 'purge' }, platformContext('org', ADMIN))).toMatchObject({
      ok: false,
      code: 'AUTH.FORBIDDEN',
    });
  });
});
