/** @jest-environment node */
/** Issue 10 — input that must never be stored: control characters, bad Unicode, impossible dates, unbounded numbers. */
import { startTestCloud, type TestCloud } from '../helpers/cloud';
import { callAction } from '../../localcloud/invoke';
import type { ActionName } from '../../typings/api';

let t: TestCloud;
beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 1, households: 4 } });
});
afterAll(() => t.close());

/** Calls an action with an arbitrary (possibly ill-typed) payload, as CloudBase would. */
const raw = (openid: string | null, action: string, payload: unknown) =>
  callAction(openid, action as ActionName, payload as never) as Promise<any>;

function setAt(base: unknown, path: string, value: unknown): unknown {
  const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
  const keys = path.split('.');
  let node: any = copy;
  for (const key of keys.slice(0, -1)) node = node[key];
  node[keys.at(-1) as string] = value;
  return copy;
}

/** Every text field that is stored or echoed: [action, a payload that passes the schema, the field's path, multi-line?]. */
const TEXT_FIELDS: Array<[string, unknown, string, boolean?]> = [
  [
    'household.requestJoin',
    { gridId: 'g-01', buildingId: 'b-001', room: '5-501', headName: '张三', phone: '13900001111', via: 'manual' },
    'headName',
  ],
  [
    'household.requestJoin',
    { gridId: 'g-01', buildingId: 'b-001', room: '5-501', headName: '张三', phone: '13900001111', via: 'manual' },
    'gridId',
  ],
  [
    'household.requestJoin',
    {
      gridId: 'g-01',
      buildingId: 'b-001',
      room: '5-501',
      headName: '张三',
      phone: '13900001111',
      via: 'invite',
      inviteToken: 'abcd1234',
    },
    'inviteToken',
  ],
  [
    'household.update',
    {
      headName: '张三',
      members: [{ name: '张三', relation: 'self', ageBand: '18-59', needs: [], needNote: '无' }],
      sensitiveConsent: false,
    },
    'members.0.name',
  ],
  [
    'household.update',
    {
      headName: '张三',
      members: [{ name: '张三', relation: 'self', ageBand: '18-59', needs: [], needNote: '无' }],
      sensitiveConsent: false,
    },
    'members.0.needNote',
  ],
  ['household.resolveEntry', { inviteToken: 'abcd1234' }, 'inviteToken'],
  ['grid.reviewJoin', { requestId: 'join-x', approve: false, reason: '信息不符' }, 'reason'],
  ['grid.postNotice', { gridId: 'g-01', title: '通知', body: '明天核酸' }, 'title'],
  ['grid.postNotice', { gridId: 'g-01', title: '通知', body: '明天核酸' }, 'body', true],
  ['grid.recordContact', { householdId: 'h-0001', method: 'phone', note: '已联系' }, 'note'],
  [
    'grid.saveCare',
    {
      householdId: 'h-0001',
      memberId: 'm-1',
      dialysisWeekdays: [1],
      refillEveryDays: 0,
      lastRefillOn: null,
      note: '备注',
    },
    'note',
  ],
  ['grid.bindGroup', { gridId: 'g-01' }, 'gridId'],
  ['grid.setGroupQr', { gridId: 'g-01', fileId: 'cloud://x/qr.png' }, 'fileId'],
  ['order.place', { kind: 'loveBag', payment: 'free', contactless: true, note: '放门口' }, 'note'],
  [
    'order.place',
    {
      kind: 'medicine',
      payment: 'free',
      contactless: true,
      medicine: { description: '降压药两盒', urgency: 'normal' },
    },
    'medicine.description',
    true,
  ],
  ['order.cancel', { orderId: 'o-1', reason: '不要了' }, 'reason'],
  ['order.cancel', { orderId: 'o-1', reason: '不要了' }, 'orderId'],
  [
    'order.saveItem',
    { name: '白菜', category: 'vegetable', unit: '斤', priceFen: 100, perHouseholdLimit: 5, active: true },
    'name',
  ],
  [
    'order.openRound',
    { name: '第一批', opensAt: '2026-12-02T08:00:00+08:00', closesAt: '2026-12-02T20:00:00+08:00' },
    'name',
  ],
  ['dispatch.review', { orderIds: ['o-1'], accept: false, reason: '缺货' }, 'reason'],
  ['dispatch.review', { orderIds: ['o-1'], accept: false, reason: '缺货' }, 'orderIds.0'],
  ['dispatch.release', { jobId: 'j-1', reason: '临时有事' }, 'reason'],
  ['dispatch.fail', { jobId: 'j-1', orderId: 'o-1', reason: '无人应门' }, 'reason'],
  ['dispatch.deliver', { jobId: 'j-1', orderId: 'o-1', code: '1234' }, 'code'],
  ['org.saveGrid', { name: '第九网格' }, 'name'],
  ['org.saveBuilding', { gridId: 'g-01', name: '9号楼', floors: 6, hasLift: false, distanceM: 10 }, 'name'],
  ['org.import', { fileName: 'a.xlsx', base64: 'AAAA', dryRun: true }, 'fileName'],
  ['org.redeemCode', { code: 'ABCD1234' }, 'code'],
  ['testing.openRound', { name: '第一轮', date: '2026-12-02', points: ['1号点'], validHours: 24 }, 'name'],
  ['testing.openRound', { name: '第一轮', date: '2026-12-02', points: ['1号点'], validHours: 24 }, 'points.0'],
  ['testing.record', { roundId: 'r-1', point: '1号点', householdId: 'h-0001', memberId: 'm-1' }, 'point'],
  ['testing.knock', { roundId: 'r-1', householdId: 'h-0001', status: 'notHome', note: '敲门无人' }, 'note'],
  ['testing.knock', { roundId: 'r-1', householdId: 'h-0001', status: 'notHome', note: '敲门无人' }, 'roundId'],
  [
    'volunteer.register',
    {
      name: '李四',
      partyMember: true,
      partyBranch: '第一支部',
      workUnit: '某公司',
      gridIds: ['g-01'],
      teamsWished: ['delivery'],
      skills: [],
      slots: ['morning'],
      health: { noSymptoms: true, noRiskContact: true, promise: true },
    },
    'name',
  ],
  [
    'volunteer.register',
    {
      name: '李四',
      partyMember: true,
      partyBranch: '第一支部',
      workUnit: '某公司',
      gridIds: ['g-01'],
      teamsWished: ['delivery'],
      skills: [],
      slots: ['morning'],
      health: { noSymptoms: true, noRiskContact: true, promise: true },
    },
    'partyBranch',
  ],
  [
    'volunteer.register',
    {
      name: '李四',
      partyMember: true,
      partyBranch: '第一支部',
      workUnit: '某公司',
      gridIds: ['g-01'],
      teamsWished: ['delivery'],
      skills: [],
      slots: ['morning'],
      health: { noSymptoms: true, noRiskContact: true, promise: true },
    },
    'workUnit',
  ],
  ['volunteer.review', { volunteerId: 'v-1', approve: false, reason: '资料不全' }, 'reason'],
  [
    'volunteer.createShift',
    {
      team: 'checkpoint',
      title: '早班',
      place: '3号卡点',
      date: '2026-12-20',
      start: '08:00',
      end: '12:00',
      capacity: 4,
      qualifications: [],
      cancelBeforeHours: 2,
    },
    'title',
  ],
  [
    'volunteer.createShift',
    {
      team: 'checkpoint',
      title: '早班',
      place: '3号卡点',
      date: '2026-12-20',
      start: '08:00',
      end: '12:00',
      capacity: 4,
      qualifications: [],
      cancelBeforeHours: 2,
    },
    'place',
  ],
];

const FORBIDDEN = {
  nul: 'a\u0000b',
  escape: 'a\u001b[31mb',
  bidiOverride: 'a\u202eb',
  bidiIsolate: 'a\u2066b',
  lineSeparator: 'a\u2028b',
  del: 'a\u007fb',
  c1: 'a\u0085b',
  loneHigh: 'a\ud800b',
  loneLow: 'a\udc00b',
};

const USERS = ['dev-admin', 'dev-gw-01', 'dev-res-0001', null];

describe('one string schema for all text', () => {
  const rows = TEXT_FIELDS.map(([action, payload, path, multiline]) => ({
    action,
    payload,
    path,
    multiline: multiline ?? false,
  }));
  it.each(rows)(
    '$action refuses forbidden characters in $path (and stores nothing)',
    async ({ action, payload, path, multiline }) => {
      const values: Record<string, string> = { ...FORBIDDEN, tab: 'a\tb' };
      // Multi-line fields keep line breaks (a CR becomes LF); one-line fields have none.
      if (!multiline) Object.assign(values, { newline: 'a\nb', carriageReturn: 'a\rb' });
      for (const [what, value] of Object.entries(values)) {
        for (const user of USERS) {
          const writes = t.cloud.db.stats().writes;
          const res = await raw(user, action, setAt(payload, path, value));
          expect({ what, user, ok: res.ok, code: res.code }).toEqual({
            what,
            user,
            ok: false,
            code: 'COMMON.INVALID_INPUT',
          });
          expect(res.message).not.toMatch(/\n\s+at |\/work\/|node_modules/);
          expect(t.cloud.db.stats().writes).toBe(writes);
        }
      }
    },
  );

  it('keeps newlines in multi-line fields and trims text', async () => {
    const res = await raw('dev-gw-01', 'grid.postNotice', {
      gridId: 'g-01',
      title: '  通知  ',
      body: '第一行\r\n第二行',
    });
    expect(res).toMatchObject({ ok: true });
    const notices = (await t.db.collection('notices').where({}).get()).data as Array<{ title: string; body: string }>;
    expect(notices.some((n) => n.title === '通知' && n.body === '第一行\n第二行')).toBe(true);
  });

  it('refuses text over its bound and blank required text', async () => {
    expect(await raw('dev-admin', 'org.saveGrid', { name: '网'.repeat(21) })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    expect(await raw('dev-admin', 'org.saveGrid', { name: '   ' })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    expect(
      await raw('dev-admin', 'testing.knock', { roundId: ' ', householdId: 'h-0001', status: 'notHome' }),
    ).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    expect(
      await raw('dev-admin', 'testing.knock', { roundId: 'r 1', householdId: 'h-0001', status: 'notHome' }),
    ).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
  });

  it('refuses forbidden characters in record keys too', async () => {
    const res = await raw('dev-vol-001', 'dispatch.pickUp', { jobId: 'j-1', counts: { 'item\u0000': 1 } });
    expect(res).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
  });
});

describe('one date schema', () => {
  const DATES: Array<[string, unknown, string]> = [
    ['testing.book', { date: '2026-12-20', memberIds: ['m-1'] }, 'date'],
    ['testing.openRound', { name: '第一轮', date: '2026-12-02', points: ['1号点'], validHours: 24 }, 'date'],
    ['testing.bookings', { gridId: 'g-01', date: '2026-12-02' }, 'date'],
    [
      'volunteer.createShift',
      {
        team: 'checkpoint',
        title: '早班',
        place: '3号卡点',
        date: '2026-12-20',
        start: '08:00',
        end: '12:00',
        capacity: 4,
        qualifications: [],
        cancelBeforeHours: 2,
      },
      'date',
    ],
    ['volunteer.exportHours', { from: '2026-12-01' }, 'from'],
    ['volunteer.shifts', { from: '2026-12-01' }, 'from'],
    [
      'grid.saveCare',
      { householdId: 'h-0001', memberId: 'm-1', dialysisWeekdays: [1], refillEveryDays: 7, lastRefillOn: '2026-11-30' },
      'lastRefillOn',
    ],
  ];
  const IMPOSSIBLE = [
    '2026-13-45',
    '0000-00-00',
    '2026-02-29',
    '2026-04-31',
    '2026-00-10',
    '1900-01-01',
    '9999-12-31',
    '２０２６-01-01',
    '2026-1-1',
    ' 2026-12-02',
  ];

  it.each(DATES.map(([action, payload, path]) => ({ action, payload, path })))(
    '$action refuses impossible dates in $path',
    async ({ action, payload, path }) => {
      for (const date of IMPOSSIBLE) {
        const writes = t.cloud.db.stats().writes;
        const res = await raw('dev-admin', action, setAt(payload, path, date));
        expect({ date, code: res.code }).toEqual({ date, code: 'COMMON.INVALID_INPUT' });
        expect(t.cloud.db.stats().writes).toBe(writes);
      }
    },
  );

  it('accepts a leap day', async () => {
    const res = await raw('dev-admin', 'testing.bookings', { gridId: 'g-01', date: '2028-02-29' });
    expect(res.code).not.toBe('COMMON.INVALID_INPUT');
  });

  it('refuses impossible times and instants', async () => {
    const shift = {
      team: 'checkpoint',
      title: '早班',
      place: '3号卡点',
      date: '2026-12-20',
      start: '08:00',
      end: '12:00',
      capacity: 4,
      qualifications: [],
      cancelBeforeHours: 2,
    };
    for (const [path, value] of [
      ['start', '25:00'],
      ['end', '12:60'],
      ['start', '8:00'],
      ['end', ''],
    ] as const) {
      expect(await raw('dev-res-0001', 'volunteer.createShift', setAt(shift, path, value))).toMatchObject({
        ok: false,
        code: 'COMMON.INVALID_INPUT',
      });
    }
    const round = { name: '第一批', opensAt: '2026-12-02T08:00:00+08:00', closesAt: '2026-12-02T20:00:00+08:00' };
    for (const value of [
      '2026-02-30T08:00:00+08:00',
      '0000-01-01T00:00:00+08:00',
      '9999-01-01T00:00:00+08:00',
      '2026-12-02T24:00:00+08:00',
    ]) {
      expect(await raw('dev-res-0001', 'order.openRound', setAt(round, 'opensAt', value))).toMatchObject({
        ok: false,
        code: 'COMMON.INVALID_INPUT',
      });
    }
  });
});

describe('numbers are finite, whole where meant, and bounded', () => {
  it.each(
    (
      [
        ['volunteer.review', { volunteerId: 'v-1', approve: true, capacityKg: 10 }, 'capacityKg', [-5, 1e12, 2.5]],
        [
          'volunteer.createShift',
          {
            team: 'checkpoint',
            title: '早班',
            place: '3号卡点',
            date: '2026-12-20',
            start: '08:00',
            end: '12:00',
            capacity: 4,
            qualifications: [],
            cancelBeforeHours: 2,
          },
          'capacity',
          [0, -1, 1e9, 1.5],
        ],
        [
          'volunteer.createShift',
          {
            team: 'checkpoint',
            title: '早班',
            place: '3号卡点',
            date: '2026-12-20',
            start: '08:00',
            end: '12:00',
            capacity: 4,
            qualifications: [],
            cancelBeforeHours: 2,
          },
          'cancelBeforeHours',
          [-1, 1e300, 73],
        ],
        [
          'household.update',
          {
            headName: '张三',
            members: [{ name: '张三', relation: 'self', ageBand: '18-59', needs: [] }],
            sensitiveConsent: false,
          },
          'members',
          [new Array(200).fill({ name: '张三', relation: 'self', ageBand: '18-59', needs: [] })],
        ],
      ] as Array<[string, unknown, string, unknown[]]>
    ).map(([action, payload, path, values]) => ({ action, payload, path, values })),
  )('$action bounds $path', async ({ action, payload, path, values }) => {
    for (const value of values) {
      const res = await raw('dev-res-0001', action, setAt(payload, path, value));
      expect({ value: String(value).slice(0, 20), code: res.code }).toEqual({
        value: String(value).slice(0, 20),
        code: 'COMMON.INVALID_INPUT',
      });
    }
  });
});
