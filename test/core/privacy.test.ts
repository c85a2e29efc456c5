/**
 * The end of the emergency in the core (issue 14): the purge plan classifies every collection,
 * its steps and state machine are sound, aggregates name nobody, and the closure rules decide
 * who may close and what an anonymised order keeps.
 */
import { LOGGED_VIEWS, shownText, viewText } from '../../core/privacy/access';
import {
  anonymisedOrder,
  CLOSED_ACCOUNT,
  closureRefusal,
  householdFate,
  SETTLED_STATUSES,
} from '../../core/privacy/closure';
import {
  accessLogCutoff,
  aggregate,
  AGGREGATE_STEP,
  COLLECTION_FATES,
  EMERGENCY_END_MACHINE,
  nextStep,
  PURGE_PLAN,
  purgeAtFor,
  purgeDue,
  REWRITES,
} from '../../core/privacy/purge';
import { allowingFrom, moveFor, next } from '../../core/state/machine';
import { FUNCTIONS } from '../../server/functions/registry';
import { ACTION_TABLES } from '../../server/lib/define-function';
import { COLLECTIONS } from '../../server/lib/schema';

describe('the purge plan', () => {
  it('says for every collection of the schema whether the purge deletes it, clears it or keeps it', () => {
    expect(Object.keys(COLLECTION_FATES).sort()).toEqual([...COLLECTIONS].sort());
    for (const step of PURGE_PLAN) expect(COLLECTION_FATES[step.collection]?.fate).not.toBe('kept');
    for (const [name, fate] of Object.entries(COLLECTION_FATES))
      if (fate.fate === 'deleted' && name !== 'accessLog')
        expect(PURGE_PLAN.some((s) => s.collection === name && s.action === 'delete')).toBe(true);
  });

  it('covers the health and special-needs data the privacy notice names', () => {
    const ids = PURGE_PLAN.map((s) => s.id);
    for (const id of [
      'samples',
      'bookings',
      'knocks',
      'careNeeds',
      'contacts',
      'householdNeeds',
      'volunteerHealth',
      'prescriptions',
      'proofPhotos',
    ])
      expect(ids).toContain(id);
    expect(new Set(ids).size).toBe(ids.length);
    // A clear step changes what its match selects, so a second pass finds nothing (idempotent).
    for (const s of PURGE_PLAN.filter((x) => x.action === 'clear')) {
      expect(Boolean(s.set) !== Boolean(s.rewrite)).toBe(true);
      if (s.set) for (const field of Object.keys(s.set)) expect(Object.keys(s.match)).toContain(field);
    }
  });

  it('runs the aggregates first, then every step in order, then stops', () => {
    expect(nextStep([])).toBe(AGGREGATE_STEP);
    const done: string[] = [AGGREGATE_STEP];
    for (const step of PURGE_PLAN) {
      expect(nextStep(done)).toBe(step.id);
      done.push(step.id);
    }
    expect(nextStep(done)).toBeNull();
  });

  it('clears special needs but keeps who lives there, and drops the priority flag of job stops', () => {
    const patch = REWRITES.householdNeeds({
      members: [
        { id: 'm1', name: '卓玛', relation: 'self', ageBand: '80+', needs: ['dialysis'], needNote: '周二周五透析' },
      ],
    });
    expect(patch).toEqual({
      members: [{ id: 'm1', name: '卓玛', relation: 'self', ageBand: '80+', needs: [] }],
      sensitiveConsentAt: null,
      heardConsent: null,
      priority: false,
    });
    const stops = REWRITES.jobPriority({ stops: [{ orderId: 'o1', priority: true } as never] }).stops as Array<{
      orderId: string;
      priority: boolean;
    }>;
    expect(stops).toEqual([{ orderId: 'o1', priority: false }]);
  });
});

describe('a declaration of the end', () => {
  it('is undone only before the purge begins, and only the timer purges', () => {
    expect(next(EMERGENCY_END_MACHINE, 'declared', 'undo', 'admin')).toBe('undone');
    expect(next(EMERGENCY_END_MACHINE, 'purging', 'undo', 'admin')).toBeNull();
    expect(next(EMERGENCY_END_MACHINE, 'declared', 'begin', 'admin')).toBeNull();
    expect(next(EMERGENCY_END_MACHINE, 'declared', 'begin', 'system')).toBe('purging');
    expect(moveFor(EMERGENCY_END_MACHINE, 'declare', 'admin')).toEqual({ from: ['undone', 'purged'], to: 'declared' });
    expect(allowingFrom(EMERGENCY_END_MACHINE, 'finish', 'system')).toEqual(['purging']);
  });

  it('falls due after the retention period, and a purge begun continues whatever the clock says', () => {
    const declared = new Date('2022-09-10T02:00:00Z');
    const purgeAt = purgeAtFor(declared, 30).toISOString();
    expect(purgeAt).toBe('2022-10-10T02:00:00.000Z');
    expect(purgeDue({ status: 'declared', purgeAt }, new Date('2022-10-10T01:59:59Z'))).toBe(false);
    expect(purgeDue({ status: 'declared', purgeAt }, new Date('2022-10-10T02:00:00Z'))).toBe(true);
    expect(purgeDue({ status: 'undone', purgeAt }, new Date('2023-01-01T00:00:00Z'))).toBe(false);
    expect(purgeDue({ status: 'purging', purgeAt }, declared)).toBe(true);
    expect(purgeDue({ status: 'purged', purgeAt }, new Date('2023-01-01T00:00:00Z'))).toBe(false);
    expect(accessLogCutoff(new Date('2022-10-10T00:00:00Z'), 30).toISOString()).toBe('2022-09-10T00:00:00.000Z');
  });
});

describe('aggregates', () => {
  it('counts per grid and China day, and nothing in them points to a person', () => {
    const rows = aggregate(
      {
        samples: [
          { gridId: 'g1', roundId: 'r1', result: 'negative' },
          { gridId: 'g1', roundId: 'r1', result: 'positive' },
          { gridId: 'g2', roundId: 'r1', result: null },
        ],
        roundDays: new Map([['r1', '2022-08-20']]),
        bookings: [{ gridId: 'g1', date: '2022-08-21' }],
        knocks: [{ gridId: 'g1', day: '2022-08-20' }],
        contacts: [{ gridId: 'g2', day: '2022-08-20' }],
        orders: [
          // 23:30 UTC is the next morning in China.
          { gridId: 'g1', createdAt: '2022-08-19T23:30:00Z', status: 'received', kind: 'medicine', priority: true },
          { gridId: 'g1', createdAt: '2022-08-20T02:00:00Z', status: 'cancelled', kind: 'grocery', priority: false },
          { gridId: 'g1', createdAt: '2022-08-20T02:00:00Z', status: 'placing', kind: 'grocery', priority: false },
        ],
        households: [{ gridId: 'g1', priority: true }],
        careNeeds: [{ gridId: 'g1' }],
      },
      'c1',
      'end-1',
      '2022-09-10',
    );
    const g1 = rows.find((r) => r._id === 'c1:g1:2022-08-20')!;
    expect(g1).toMatchObject({
      sampled: 2,
      negative: 1,
      positive: 1,
      doorsKnocked: 1,
      ordersPlaced: 2,
      ordersDelivered: 1,
      medicineOrders: 1,
      priorityOrders: 1,
    });
    expect(rows.find((r) => r._id === 'c1:g1:2022-08-21')).toMatchObject({ homeSamplingBooked: 1 });
    expect(rows.find((r) => r._id === 'c1:g1:2022-09-10')).toMatchObject({ specialNeedsHouseholds: 1, careRecords: 1 });
    expect(rows.find((r) => r._id === 'c1:g2:2022-08-20')).toMatchObject({ sampled: 1, householdsContacted: 1 });
    for (const r of rows)
      for (const [k, v] of Object.entries(r))
        if (!['_id', 'communityId', 'gridId', 'day', 'declarationId'].includes(k)) expect(typeof v).toBe('number');
  });
});

describe('closing an account', () => {
  it('refuses staff, registered volunteers and orders under way, in that order', () => {
    expect(
      closureRefusal({ roles: ['resident', 'gridworker'], volunteerStatus: null, activeOrders: 0 })?.message,
    ).toMatch(/撤销您的角色/);
    expect(
      closureRefusal({ roles: ['resident', 'volunteer'], volunteerStatus: 'approved', activeOrders: 0 })?.message,
    ).toMatch(/退出志愿者/);
    expect(closureRefusal({ roles: ['resident'], volunteerStatus: 'pending', activeOrders: 0 })?.code).toBe(
      'AUTH.FORBIDDEN',
    );
    expect(closureRefusal({ roles: ['resident'], volunteerStatus: 'left', activeOrders: 2 })).toEqual({
      code: 'COMMON.CONFLICT',
      message: '您还有 2 个进行中的订单，请等订单完成或取消后再注销账号',
    });
    expect(closureRefusal({ roles: ['resident'], volunteerStatus: 'rejected', activeOrders: 0 })).toBeNull();
    expect(closureRefusal({ roles: [], volunteerStatus: null, activeOrders: 0 })).toBeNull();
    expect(SETTLED_STATUSES).toEqual(expect.arrayContaining(['received', 'cancelled', 'rejected', 'delivered']));
    expect(SETTLED_STATUSES).not.toContain('pickedUp');
  });

  it('deletes the household of its last member only', () => {
    expect(householdFate(['me'], 'me')).toBe('deleted');
    expect(householdFate([], 'me')).toBe('deleted');
    expect(householdFate(['me', 'spouse'], 'me')).toBe('left');
  });

  it('anonymises an order: no OPENID, note, medicine text or photos; the accounts stay', () => {
    const patch = anonymisedOrder(
      {
        placedBy: 'me',
        history: [
          { status: 'submitted', at: 't1', by: 'me' },
          { status: 'accepted', at: 't2', by: 'gw', note: '接单' },
        ],
        medicine: { description: '胰岛素', urgency: 'urgent', prescriptionFileId: 'cloud://x/rx.jpg' },
      },
      new Set(['me']),
    );
    expect(patch).toEqual({
      placedBy: CLOSED_ACCOUNT,
      history: [
        { status: 'submitted', at: 't1', by: CLOSED_ACCOUNT },
        { status: 'accepted', at: 't2', by: 'gw', note: '接单' },
      ],
      note: '',
      medicine: { description: '（已删除）', urgency: 'urgent', prescriptionFileId: null },
      proofFileId: null,
      handoverCode: null,
    });
    expect(Object.keys(patch)).not.toEqual(expect.arrayContaining(['lines', 'totalFen', 'room']));
  });
});

describe('the access log', () => {
  it('names only real actions, each with what it shows whole', () => {
    expect(Object.keys(FUNCTIONS).length).toBeGreaterThan(0);
    const actions = new Set([...ACTION_TABLES.values()].flatMap((table) => Object.keys(table)));
    for (const view of Object.keys(LOGGED_VIEWS)) expect(actions).toContain(view);
    expect(viewText('dispatch.job')).toBe('配送任务详情');
    expect(viewText('nope')).toBe('nope');
    expect(shownText(['phone', 'address'])).toBe('电话、住址');
  });
});
