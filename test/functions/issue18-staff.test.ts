/**
 * Issue 18 — staff pages made for the person who acts on them: the pool's live tabs in walking
 * order (special needs first, then building and room, naturally) across pages; `user.me` says who
 * may record samples; shifts say which are the volunteer's own team's; `grid.households` searches
 * by room, name or the phone's last 4 digits server-side, within the caller's grid only.
 */
import { naturalCompare } from '../../core/natural-sort';
import type { GridHouseholdPage, GridHouseholdView, PoolView } from '../../typings/api';
import type { Building, HouseholdDoc, OrderDoc, UserDoc, VolunteerDoc } from '../../typings/entities';
import { startTestCloud, type TestCloud } from '../helpers/cloud';

let t: TestCloud;
let households: HouseholdDoc[];
let buildings: Building[];

beforeAll(async () => {
  t = await startTestCloud({ seed: { grids: 3, households: 120, joinedShare: 1, at: new Date() } });
  households = (await t.db.collection('households').orderBy('_id', 'asc').limit(1000).get()).data as HouseholdDoc[];
  buildings = (await t.db.collection('buildings').limit(1000).get()).data as Building[];
}, 60_000);
afterAll(() => t.close());

const nameOf = (buildingId: string) => buildings.find((b) => b._id === buildingId)?.name ?? '';

function orderDoc(i: number, h: HouseholdDoc, room: string, over: Partial<OrderDoc> = {}): OrderDoc {
  const at = new Date(Date.parse('2026-12-01T02:00:00.000Z') + i * 1000).toISOString();
  return {
    _id: `i18-o-${String(i).padStart(4, '0')}`,
    communityId: h.communityId,
    gridId: h.gridId,
    buildingId: h.buildingId,
    householdId: h._id,
    room,
    roundId: 'round-001',
    kind: 'grocery',
    lines: [{ itemId: 'item-009', name: '土豆', unit: '斤', qty: 2, priceFen: 200 }],
    medicine: null,
    gas: null,
    totalFen: 400,
    payment: 'cashOnDelivery',
    contactless: false,
    note: '',
    priority: false,
    status: 'submitted',
    placedBy: h.memberOpenids[0] as string,
    onBehalf: false,
    rejectReason: null,
    history: [],
    // Created in an order unlike the rooms': the old pool order (first come) would differ.
    createdAt: at,
    updatedAt: at,
    ...over,
  } as OrderDoc;
}

describe('dispatch.pool: live tabs in walking order', () => {
  it('待接单 lists special needs first, then building and room naturally, across pages, each once', async () => {
    const grid = households.filter((h) => h.gridId === 'g-03');
    const rooms = ['1-201', '1-701', '1-901', '1-1301', '1-302', '2-101', '1-1001', '1-101', '3-1202', '1-202', '1-2'];
    const docs = rooms.map((room, i) =>
      orderDoc(i, grid[i % grid.length] as HouseholdDoc, room, {
        priority: i === 6,
        // Urgent medicine: a flag for the card's tag, not text in the description.
        ...(i === 3
          ? {
              kind: 'medicine',
              lines: [],
              medicine: { description: '硝苯地平缓释片 一盒', urgency: 'urgent', prescriptionFileId: null },
            }
          : {}),
      }),
    );
    for (const d of docs) await t.db.collection('orders').add(d);
    const seen: Array<{ id: string; buildingName: string; room: string; priority: boolean }> = [];
    let cursor: string | null = null;
    let total: number;
    do {
      const page: PoolView = await t.ok('dev-gw-03', 'dispatch.pool', {
        gridId: 'g-03',
        status: 'submitted',
        limit: 3,
        ...(cursor ? { cursor } : {}),
      });
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items);
      total = page.total;
      cursor = page.nextCursor;
    } while (cursor);
    expect(total).toBe(docs.length);
    expect(seen.map((o) => o.id).sort()).toEqual(docs.map((d) => d._id).sort());
    // Special needs (o-0006) and urgent medicine (o-0003) first, each part by building and room.
    const walking = (list: typeof seen) =>
      [...list].sort((a, b) => naturalCompare(a.buildingName, b.buildingName) || naturalCompare(a.room, b.room));
    const first = seen.slice(0, 2);
    expect(first.map((o) => o.id).sort()).toEqual(['i18-o-0003', 'i18-o-0006']);
    expect(first.map((o) => o.id)).toEqual(walking(first).map((o) => o.id));
    const rest = seen.slice(2);
    expect(rest.map((o) => o.id)).toEqual(walking(rest).map((o) => o.id));
    const medicine = seen.find((o) => o.id === 'i18-o-0003');
    expect(medicine).toMatchObject({ medicine: '硝苯地平缓释片 一盒', urgent: true });
    expect(JSON.stringify(seen)).not.toContain('【急】');
  });

  it('refuses a forged cursor with a clear code', async () => {
    for (const cursor of [
      'x',
      Buffer.from('[1,2,3]').toString('base64url'),
      Buffer.from('[7,"a","b","c"]').toString('base64url'),
    ]) {
      const res = await t.call('dev-gw-03', 'dispatch.pool', { gridId: 'g-03', status: 'submitted', cursor });
      expect(res).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    }
  });
});

async function volunteerOf(team: string): Promise<VolunteerDoc> {
  const vols = (await t.db.collection('volunteers').limit(1000).get()).data as VolunteerDoc[];
  const v = vols.find((x) => x.status === 'approved' && x.team === team);
  if (!v) throw new Error(`no ${team} volunteer in the seed`);
  return v;
}

describe('user.me: who may record samples', () => {
  it('a delivery volunteer may not, a testing volunteer and a gridworker may', async () => {
    const delivery = await volunteerOf('delivery');
    const testing = await volunteerOf('testing');
    const user = async (openid: string) => ((await t.db.collection('users').doc(openid).get()).data as UserDoc[])[0];
    expect((await user(delivery._id))?.roles).toContain('volunteer');
    expect((await user(delivery._id))?.roles).not.toContain('sampler');
    expect(await t.ok(delivery._id, 'user.me', {})).toMatchObject({ sampler: false });
    expect(await t.ok(testing._id, 'user.me', {})).toMatchObject({ sampler: true });
    expect(await t.ok('dev-gw-01', 'user.me', {})).toMatchObject({ sampler: true });
    expect(await t.ok('someone-new-i18', 'user.me', {})).toMatchObject({ sampler: false });
  });
});

describe('volunteer.shifts: own team first', () => {
  it('marks the volunteer’s own team’s shifts; the others are the ones refused for the team', async () => {
    const v = await volunteerOf('delivery');
    const page = await t.ok(v._id, 'volunteer.shifts', { limit: 100 });
    expect(page.items.length).toBeGreaterThan(0);
    for (const s of page.items) {
      const own = s.team === v.team || v.teamsWished.includes(s.team);
      expect(s.ownTeam).toBe(own);
      if (!own) expect(s.whyNot).toContain('只接受');
    }
    expect(page.items.some((s) => s.ownTeam)).toBe(true);
    const staff = await t.ok('dev-gw-01', 'volunteer.shifts', { limit: 100 });
    expect(staff.items.every((s) => s.ownTeam)).toBe(true);
  });
});

describe('grid.households: search by room, name or phone tail', () => {
  const grid = () => households.filter((h) => h.gridId === 'g-02');
  const search = async (q: string, openid = 'dev-gw-02', limit = 100) => {
    const out: GridHouseholdView[] = [];
    let cursor: string | null = null;
    let total: number;
    do {
      const page: GridHouseholdPage = await t.ok(openid, 'grid.households', {
        gridId: 'g-02',
        q,
        limit,
        ...(cursor ? { cursor } : {}),
      });
      out.push(...page.items);
      total = page.total;
      cursor = page.nextCursor;
    } while (cursor);
    expect(out).toHaveLength(total);
    return out;
  };

  it('finds a room by its full name or the number after the unit, in walking order', async () => {
    const h = grid()[5] as HouseholdDoc;
    const found = await search(h.room);
    expect(found.map((x) => x.id)).toContain(h._id);
    expect(found.every((x) => x.room.startsWith(h.room) || x.room.includes(`-${h.room}`))).toBe(true);
    const number = h.room.split('-').at(-1) as string;
    const byNumber = await search(number, 'dev-gw-02', 3);
    expect(byNumber.map((x) => x.id)).toContain(h._id);
    expect(
      byNumber.every((x) => x.room.startsWith(number) || x.room.includes(`-${number}`) || x.headName.includes(number)),
    ).toBe(true);
    const order = [...byNumber].sort(
      (a, b) => naturalCompare(a.buildingName, b.buildingName) || naturalCompare(a.room, b.room),
    );
    expect(byNumber.map((x) => x.id)).toEqual(order.map((x) => x.id));
  });

  it('finds the head by part of the name, and by the phone’s last 4 digits', async () => {
    const h = grid()[9] as HouseholdDoc;
    const part = h.headName.slice(0, 2);
    const byName = await search(part);
    expect(byName.map((x) => x.id)).toContain(h._id);
    const stored = new Map(grid().map((x) => [x._id, x]));
    for (const x of byName) {
      const doc = stored.get(x.id) as HouseholdDoc;
      expect(
        doc.headName.includes(part) ||
          doc.room.startsWith(part) ||
          doc.room.includes(`-${part}`) ||
          nameOf(doc.buildingId).includes(part),
      ).toBe(true);
    }
    const tail = h.phone.slice(-4);
    const byPhone = await search(tail);
    expect(byPhone.map((x) => x.id)).toContain(h._id);
    // Only this grid's households, and the page never shows the whole phone.
    expect(byPhone.every((x) => stored.has(x.id))).toBe(true);
    expect(JSON.stringify(byPhone)).not.toContain(h.phone);
  });

  it('narrows by building name and room together; an empty search is the whole grid', async () => {
    const h = grid()[12] as HouseholdDoc;
    const found = await search(`${nameOf(h.buildingId)} ${h.room}`);
    expect(found.map((x) => x.id)).toContain(h._id);
    expect(found.every((x) => x.buildingId === h.buildingId)).toBe(true);
    const whole = await t.ok('dev-gw-02', 'grid.households', { gridId: 'g-02', q: '  ', limit: 1 });
    expect(whole.total).toBe(grid().length);
  });

  it('treats pattern characters as text and refuses control characters or long input clearly', async () => {
    for (const q of ['.*', '^', '(', '[a-', '\\', '$where', '{"$gt":""}', '1-.*']) {
      const res = await t.call('dev-gw-02', 'grid.households', { gridId: 'g-02', q });
      expect(res.ok).toBe(true);
      if (res.ok) expect(res.data.items).toHaveLength(0);
    }
    for (const q of ['\u0000', 'a\nb', '\u202e101', 'x'.repeat(21)]) {
      const res = await t.call('dev-gw-02', 'grid.households', { gridId: 'g-02', q });
      expect(res).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
    }
    const wrongType = await t.call('dev-gw-02', 'grid.households', { gridId: 'g-02', q: 5 as unknown as string });
    expect(wrongType).toMatchObject({ ok: false, code: 'COMMON.INVALID_INPUT' });
  });

  it('keeps access scoping: another grid’s gridworker finds nothing there', async () => {
    const h = grid()[3] as HouseholdDoc;
    const res = await t.call('dev-gw-01', 'grid.households', { gridId: 'g-02', q: h.room });
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.code).not.toBe('COMMON.INTERNAL');
  });
});
