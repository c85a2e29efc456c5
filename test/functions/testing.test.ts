import { verifyCard, fromBase64Url } from '../../core/card/token';
import type { HouseholdDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
let households: HouseholdDoc[];
let roundId: string;

beforeAll(async () => {
  // A generated community of a few thousand residents.
  t = await startTestCloud({ seed: { grids: 6, households: 1200, joinedShare: 0.8 } });
  households = [];
  for (let skip = 0; ; skip += 1000) {
    const page = (await t.db.collection('households').orderBy('_id', 'asc').skip(skip).limit(1000).get())
      .data as HouseholdDoc[];
    households.push(...page);
    if (page.length < 1000) break;
  }
  roundId = (
    await t.ok('dev-admin', 'testing.openRound', {
      name: '8月20日全员核酸',
      date: '2022-08-20',
      points: ['1号采样点', '上门'],
      validHours: 48,
    })
  ).id;
}, 60_000);
afterAll(() => t.close());

const joined = (gridId: string) => households.filter((h) => h.gridId === gridId && h.memberOpenids.length > 0);

describe('testing rounds', () => {
  it('are opened and closed by the community admin only', async () => {
    expect(
      await t.call('dev-gw-01', 'testing.openRound', { name: 'x', date: '2022-08-21', points: ['p'], validHours: 24 }),
    ).toMatchObject({ ok: false, code: 'AUTH.NOT_ADMIN' });
    const rounds = await t.ok(joined('g-01')[0]!.memberOpenids[0]!, 'testing.rounds', {});
    expect(rounds.items[0]).toMatchObject({ id: roundId, code: 'R1', status: 'open' });
    expect(rounds.total).toBe(1);
  });
});

describe('recording a sample and the card', () => {
  it('records by scanning a person’s code and issues a signed card; a second scan is recognised, not counted', async () => {
    const h = joined('g-01')[0]!;
    const codes = await t.ok(h.memberOpenids[0]!, 'testing.personCodes', {});
    expect(codes).toHaveLength(h.members.length);
    expect(codes[0]?.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    const first = await t.ok('dev-gw-01', 'testing.record', {
      roundId,
      point: '1号采样点',
      personCode: codes[0]!.token,
    });
    expect(first.duplicate).toBe(false);
    expect(first.card).toMatchObject({ serial: 'R1-G01-0001', seal: '幸福新村社区居民委员会', result: null });
    expect(first.card.nameMasked).not.toBe(h.members[0]!.name);
    // dev-vol-004 is of the 核酸检测 team (only samplers record).
    const again = await t.ok('dev-vol-004', 'testing.record', {
      roundId,
      point: '1号采样点',
      personCode: codes[0]!.token,
    });
    expect(again).toMatchObject({ duplicate: true, card: { serial: 'R1-G01-0001' } });
    expect((await t.db.collection('samples').where({ roundId }).count()).total).toBe(1);

    const keys = await t.ok(null, 'testing.publicKeys', {});
    const publicKeys = Object.fromEntries(keys.map((k) => [k.keyId, fromBase64Url(k.publicKey)!]));
    // Anyone with the public key verifies it offline.
    expect(verifyCard(first.card.token, { publicKeys, now: new Date(), roundId, householdId: h._id }).status).toBe(
      'valid',
    );
  });

  it('numbers samples of a grid without gaps or repeats when samplers record at once', async () => {
    const targets = joined('g-02').slice(0, 12);
    const results = await Promise.all(
      targets.map((h) =>
        t.call('dev-gw-02', 'testing.record', {
          roundId,
          point: '上门',
          householdId: h._id,
          memberId: h.members[0]!.id,
        }),
      ),
    );
    const serials = results.map((r) => (r.ok ? r.data.card.serial : r.code)).sort();
    expect(serials).toEqual(Array.from({ length: 12 }, (_, i) => `R1-G02-${String(i + 1).padStart(4, '0')}`));
  });

  it('refuses a forged person code, a sampler from outside, and a point not in the round', async () => {
    const h = joined('g-03')[0]!;
    expect(
      await t.call('dev-gw-03', 'testing.record', { roundId, point: '1号采样点', personCode: 'eyJ2IjoxfQ.AAAA' }),
    ).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    expect(
      await t.call(h.memberOpenids[0]!, 'testing.record', {
        roundId,
        point: '1号采样点',
        householdId: h._id,
        memberId: h.members[0]!.id,
      }),
    ).toMatchObject({
      ok: false,
      code: 'AUTH.FORBIDDEN',
    });
    expect(
      await t.call('dev-gw-03', 'testing.record', {
        roundId,
        point: '菜市场',
        householdId: h._id,
        memberId: h.members[0]!.id,
      }),
    ).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
  });

  it('shows each household its own cards, past rounds included, with a result only once recorded', async () => {
    const h = joined('g-02')[0]!;
    const before = await t.ok(h.memberOpenids[0]!, 'testing.myCards', {});
    expect(before[0]?.result).toBeNull();
    expect(
      await t.call('dev-gw-03', 'testing.recordResult', {
        roundId,
        householdId: h._id,
        memberId: h.members[0]!.id,
        result: 'negative',
      }),
    ).toMatchObject({ ok: false, code: 'AUTH.NOT_GRIDWORKER' });
    await t.ok('dev-admin', 'testing.recordResult', {
      roundId,
      householdId: h._id,
      memberId: h.members[0]!.id,
      result: 'negative',
    });
    const cards = await t.ok(h.memberOpenids[0]!, 'testing.myCards', {});
    expect(cards).toHaveLength(1);
    expect(cards[0]).toMatchObject({
      roundName: '8月20日全员核酸',
      gridName: '第2网格',
      result: 'negative',
      token: before[0]!.token,
    });
    expect(cards[0]?.qr).toMatch(/^data:image\/svg\+xml/);
    const stranger = joined('g-05')[0]!;
    expect(await t.ok(stranger.memberOpenids[0]!, 'testing.myCards', {})).toEqual([]);
  });
});

describe('verification at checkpoints and hand-outs', () => {
  it('says valid, other round, other household or invalid, with the holder’s masked name', async () => {
    const h = joined('g-02')[0]!;
    const [card] = await t.ok(h.memberOpenids[0]!, 'testing.myCards', {});
    const token = card!.token;
    expect(await t.ok('dev-vol-002', 'testing.verify', { token, roundId })).toMatchObject({
      status: 'valid',
      nameMasked: card!.nameMasked,
      text: '有效：已在本轮采样',
    });
    expect(await t.call('dev-vol-002', 'testing.verify', { token, roundId: 'another-round' })).toMatchObject({
      ok: false,
      code: 'COMMON.NOT_FOUND',
    });
    expect(await t.ok('dev-vol-002', 'testing.verify', { token, householdId: joined('g-02')[1]!._id })).toMatchObject({
      status: 'otherHolder',
    });
    const tampered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    expect(await t.ok('dev-vol-002', 'testing.verify', { token: tampered })).toMatchObject({
      status: 'invalid',
      nameMasked: null,
    });
    expect(await t.call(h.memberOpenids[0]!, 'testing.verify', { token })).toMatchObject({
      ok: false,
      code: 'AUTH.FORBIDDEN',
    });
  });
});

describe('coverage of a grid (应检尽检, 不漏一户)', () => {
  it('counts sampled and to-sample people per building and lists who is missing, special needs first', async () => {
    const grid = 'g-02';
    const inGrid = households.filter((h) => h.gridId === grid);
    const people = inGrid.reduce((n, h) => n + h.members.length, 0);
    expect(people).toBeGreaterThan(400);
    const cover = await t.ok('dev-gw-02', 'testing.coverage', { roundId, gridId: grid });
    expect(cover).toMatchObject({ sampled: 12, total: people });
    expect(cover.buildings.reduce((n, b) => n + b.total, 0)).toBe(people);
    expect(cover.buildings.reduce((n, b) => n + b.sampled, 0)).toBe(12);
    expect(cover.pending.reduce((n, p) => n + p.members.length, 0)).toBe(people - 12);
    const firstPlain = cover.pending.findIndex((p) => !p.members.some((m) => m.needs.length));
    expect(cover.pending.slice(firstPlain).every((p) => !p.members.some((m) => m.needs.length))).toBe(true);
    expect(await t.call('dev-gw-01', 'testing.coverage', { roundId, gridId: grid })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
  });

  it('keeps the door-knock status of households not yet sampled', async () => {
    const cover = await t.ok('dev-gw-02', 'testing.coverage', { roundId, gridId: 'g-02' });
    const target = cover.pending[0]!;
    await t.ok('dev-gw-02', 'testing.knock', {
      roundId,
      householdId: target.householdId,
      status: 'cannotCome',
      note: '卧床，需上门',
    });
    const after = await t.ok('dev-gw-02', 'testing.coverage', { roundId, gridId: 'g-02' });
    expect(after.pending.find((p) => p.householdId === target.householdId)?.knock).toBe('cannotCome');
  });

  it('exports the coverage as an Excel workbook for printing', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const file = await t.ok('dev-gw-02', 'testing.exportCoverage', { roundId, gridId: 'g-02' });
    expect(file.fileName).toBe('8月20日全员核酸-第2网格-采样统计.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(file.base64, 'base64') as never);
    const pending = wb.getWorksheet('未采样名单');
    const cover = await t.ok('dev-gw-02', 'testing.coverage', { roundId, gridId: 'g-02' });
    expect(pending?.rowCount).toBe(2 + cover.pending.reduce((n, p) => n + p.members.length, 0));
    expect(pending?.getRow(2).values).toEqual([undefined, '楼栋', '房号', '姓名', '特殊人群', '敲门情况']);
    expect(await t.call('dev-gw-01', 'testing.exportCoverage', { roundId, gridId: 'g-02' })).toMatchObject({
      ok: false,
      code: 'AUTH.NOT_GRIDWORKER',
    });
  });

  it('takes bookings for tomorrow (明日预约) and lists them for the grid', async () => {
    const h = joined('g-03')[1]!;
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 32 * 3600_000).toISOString().slice(0, 10);
    const members = h.members.map((m) => m.id);
    expect(await t.call(h.memberOpenids[0]!, 'testing.book', { date: today, memberIds: members })).toMatchObject({
      ok: false,
      code: 'COMMON.INVALID_INPUT',
    });
    expect(await t.ok(h.memberOpenids[0]!, 'testing.book', { date: tomorrow, memberIds: members })).toEqual({
      date: tomorrow,
      booked: members.length,
    });
    await t.ok(h.memberOpenids[0]!, 'testing.book', { date: tomorrow, memberIds: members });
    const list = await t.ok('dev-gw-03', 'testing.bookings', { gridId: 'g-03', date: tomorrow });
    expect(list).toHaveLength(members.length);
    expect(list[0]).toMatchObject({ householdId: h._id, room: h.room });
    expect(
      await t.call(h.memberOpenids[0]!, 'testing.book', { date: tomorrow, memberIds: ['someone-else'] }),
    ).toMatchObject({ ok: false, code: 'COMMON.NOT_FOUND' });
  });

  it('stops recording when the round is closed', async () => {
    await t.ok('dev-admin', 'testing.closeRound', { roundId });
    const h = joined('g-04')[0]!;
    expect(
      await t.call('dev-gw-04', 'testing.record', {
        roundId,
        point: '上门',
        householdId: h._id,
        memberId: h.members[0]!.id,
      }),
    ).toMatchObject({
      ok: false,
      code: 'COMMON.CONFLICT',
    });
  });
});
