/**
 * Pages of issue 12's testing side: 明日预约 (gridworker and resident), 重点人员台账, 打印个人码 —
 * each renders, does its main tap, and shows an error state with a retry when loading fails.
 */
import type { BookingItemView, KeyPersonView, KeyPersonsView, MyBookingView } from '../../typings/api';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';
import { staffGridsView } from './support/staff-data';

const booking = (over: Partial<BookingItemView> = {}): BookingItemView => ({
  id: 'bk-1',
  date: '2026-12-02',
  householdId: 'h-0001',
  memberId: 'm1',
  buildingName: '1号楼',
  room: '1-1001',
  nameMasked: '扎*',
  needs: ['elderlyAlone'],
  reason: 'returnee',
  note: '从外地返并',
  status: 'booked',
  mine: false,
  claimedBy: null,
  knock: null,
  knockAt: null,
  outcome: null,
  ...over,
});

const counts = { booked: 1, claimed: 0, visited: 0, closed: 0, cancelled: 0 };
const fail = { ok: false as const, code: 'COMMON.INTERNAL' as const, message: '服务暂时不可用' };

describe('明日预约 page (gridworker)', () => {
  it('lists the day’s bookings with the reason, and claims one', async () => {
    const { calls } = mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'testing.bookingList': (p) => ({
        ok: true,
        data: { items: [booking()], nextCursor: null, total: 1, gridId: p.gridId, date: '2026-12-02', counts },
      }),
      'testing.claimBooking': () => ({ ok: true, data: booking({ status: 'claimed', mine: true, claimedBy: '王*' }) }),
    });
    const page = await loadPage('pages/grid/bookings/index');
    const text = textOf(page);
    expect(text).toContain('1号楼 1-1001 扎*');
    expect(text).toContain('返并人员');
    expect(text).toContain('独居老人');
    expect(text).toContain('待认领 1');
    expect(text).not.toContain('h-0001');
    tapButton(page, '.bk__claim');
    await flush();
    expect(calls.find((c) => c.action === 'testing.claimBooking')?.payload).toEqual({ bookingId: 'bk-1' });
    expect(textOf(page)).toContain('网格员已认领');
    expect(page.querySelector('.bk__finish')).toBeTruthy();
  });

  it('says who claimed it when another gridworker was first, and closes one of mine', async () => {
    const { calls } = mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'testing.bookingList': (p) => ({
        ok: true,
        data: {
          items: [
            booking({ id: 'bk-1', status: 'claimed', claimedBy: '李*' }),
            booking({ id: 'bk-2', room: '1-1002', status: 'visited', mine: true, knock: 'notHome' }),
          ],
          nextCursor: null,
          total: 2,
          gridId: p.gridId,
          date: '2026-12-02',
          counts,
        },
      }),
      'testing.closeBooking': (p) => ({
        ok: true,
        data: booking({ id: p.bookingId, status: 'closed', outcome: p.outcome }),
      }),
    });
    const page = await loadPage('pages/grid/bookings/index');
    expect(textOf(page)).toContain('李* 已认领');
    expect(textOf(page)).toContain('已上门：敲门无人');
    tapButton(page, '.bk__finish');
    await flush();
    await page.instance.onClose({ detail: { index: 0 } });
    await flush();
    expect(calls.find((c) => c.action === 'testing.closeBooking')?.payload).toEqual({
      bookingId: 'bk-2',
      outcome: 'sampled',
    });
    expect(textOf(page)).toContain('已办结：已上门采样');
  });

  it('shows an error state with a retry when the list fails to load', async () => {
    let failing = true;
    mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'testing.bookingList': (p) =>
        failing
          ? fail
          : { ok: true, data: { items: [booking()], nextCursor: null, total: 1, gridId: p.gridId, date: 'x', counts } },
    });
    const page = await loadPage('pages/grid/bookings/index');
    expect(textOf(page)).toContain('预约名单没有加载出来');
    failing = false;
    tapButton(page, '.bk__retry');
    await flush();
    expect(textOf(page)).toContain('1号楼 1-1001');
  });
});

describe('预约上门采样 page (resident)', () => {
  const household = {
    id: 'h-1',
    gridId: 'g-01',
    gridName: '第1网格',
    buildingName: '1号楼',
    room: '1-101',
    headName: '扎西',
    phoneMasked: '139****0000',
    members: [
      { id: 'm1', name: '扎西', relation: 'self' as const, ageBand: '60-79' as const, needs: [] },
      { id: 'm2', name: '卓玛', relation: 'spouse' as const, ageBand: '60-79' as const, needs: [] },
    ],
    sensitiveConsent: false,
    priority: false,
  };

  it('books members with a reason and shows where each booking stands', async () => {
    let mine: MyBookingView[] = [
      {
        id: 'b-0',
        date: '2026-12-01',
        memberId: 'm1',
        nameMasked: '扎*',
        reason: 'yellowCode',
        status: 'claimed',
        knock: null,
        outcome: null,
      },
    ];
    const { calls } = mockCall({
      'household.get': () => ({ ok: true, data: household }),
      'testing.myBookings': () => ({ ok: true, data: mine }),
      'testing.book': (p) => {
        mine = [
          ...mine,
          { ...mine[0]!, id: 'b-1', memberId: 'm2', nameMasked: '卓*', reason: 'returnee', status: 'booked' },
        ];
        return { ok: true, data: { date: p.date, booked: p.memberIds.length } };
      },
    });
    const page = await loadPage('pages/testing/booking/index');
    expect(textOf(page)).toContain('网格员已认领');
    expect(textOf(page)).toContain('黄码');
    // Without a member and a reason nothing is sent.
    tapButton(page, '.mb__book');
    await flush();
    expect(calls.some((c) => c.action === 'testing.book')).toBe(false);
    page.instance.setData({ chosen: ['m2'], reason: 'returnee' });
    tapButton(page, '.mb__book');
    await flush();
    const sent = calls.find((c) => c.action === 'testing.book')?.payload as { memberIds: string[]; reason: string };
    expect(sent).toMatchObject({ memberIds: ['m2'], reason: 'returnee' });
    expect(textOf(page)).toContain('已预约，待认领');
  });

  it('shows an error state with a retry', async () => {
    let failing = true;
    mockCall({
      'household.get': () => (failing ? fail : { ok: true, data: household }),
      'testing.myBookings': () => ({ ok: true, data: [] }),
    });
    const page = await loadPage('pages/testing/booking/index');
    expect(textOf(page)).toContain('预约信息没有加载出来');
    failing = false;
    tapButton(page, '.mb__retry');
    await flush();
    expect(textOf(page)).toContain('卓玛');
  });
});

describe('重点人员台账 page', () => {
  const person = (over: Partial<KeyPersonView> = {}): KeyPersonView => ({
    id: 'h-1:m1',
    householdId: 'h-1',
    memberId: 'm1',
    buildingName: '2号楼',
    room: '2-301',
    nameMasked: '次*',
    kinds: ['returnee', 'homeIsolation'],
    from: '北京',
    returnedOn: '2026-11-30',
    isolationStart: '2026-11-30',
    isolationEnd: '2026-12-06',
    isolating: true,
    codeColor: 'yellow',
    note: '',
    checkedToday: false,
    lastCheckDay: null,
    checks: 0,
    ...over,
  });
  const view = (items: KeyPersonView[]): KeyPersonsView => ({
    items,
    nextCursor: null,
    total: items.length,
    gridId: 'g-01',
    gridName: '第1网格',
    grids: [{ id: 'g-01', name: '第1网格' }],
    today: '2026-12-01',
    counts: { total: items.length, checkedToday: 0, isolating: 1, red: 0, yellow: 1 },
  });

  it('shows the ledger masked and takes the day’s check-in', async () => {
    let checked = false;
    const { calls } = mockCall({
      'testing.keyPersons': () => ({ ok: true, data: view([person({ checkedToday: checked })]) }),
      'testing.checkKeyPerson': (p) => {
        checked = true;
        return {
          ok: true,
          data: { personId: p.personId, day: '2026-12-01', duplicate: false, codeColor: p.codeColor },
        };
      },
    });
    const page = await loadPage('pages/grid/ledger/index');
    const text = textOf(page);
    expect(text).toContain('2号楼 2-301 次*');
    expect(text).toContain('黄码');
    expect(text).toContain('返并人员、居家隔离');
    expect(text).toContain('隔离 11-30 至 12-06（隔离中）');
    tapButton(page, '.kp__check');
    await flush();
    await page.instance.onCheck({ detail: { index: 0 } });
    await flush();
    expect(calls.find((c) => c.action === 'testing.checkKeyPerson')?.payload).toEqual({
      personId: 'h-1:m1',
      codeColor: 'green',
      symptoms: false,
    });
    expect(textOf(page)).toContain('今日已打卡');
  });

  it('shows an error state with a retry', async () => {
    let failing = true;
    mockCall({ 'testing.keyPersons': () => (failing ? fail : { ok: true, data: view([person()]) }) });
    const page = await loadPage('pages/grid/ledger/index');
    expect(textOf(page)).toContain('重点人员台账没有加载出来');
    failing = false;
    tapButton(page, '.kp__retry');
    await flush();
    expect(textOf(page)).toContain('2号楼 2-301');
  });
});

describe('打印个人码 page', () => {
  const households = {
    items: [
      {
        id: 'h-1',
        buildingId: 'b-1',
        buildingName: '1号楼',
        room: '1-101',
        headName: '扎西',
        phoneMasked: '139****0000',
        members: 2,
        joined: false,
        priority: true,
      },
    ],
    nextCursor: null,
    total: 1,
    joined: 0,
  };

  it('lists households and shows one code per member, names masked, for printing', async () => {
    mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'grid.households': () => ({ ok: true, data: households }),
      'testing.householdCodes': (p) => ({
        ok: true,
        data: {
          householdId: p.householdId,
          place: '1号楼 1-101',
          gridName: '第1网格',
          communityName: '幸福新村社区',
          codes: [
            { memberId: 'm1', nameMasked: '扎*', token: 't1', qr: 'data:image/svg+xml;base64,PHN2Zy8+' },
            { memberId: 'm2', nameMasked: '卓*', token: 't2', qr: 'data:image/svg+xml;base64,PHN2Zy8+' },
          ],
        },
      }),
    });
    const page = await loadPage('pages/grid/code-sheet/index');
    expect(textOf(page)).toContain('1号楼 1-101');
    expect(textOf(page)).toContain('未入群');
    page.querySelector('.cs__row')!.dispatchEvent('tap');
    await flush();
    const text = textOf(page);
    expect(text).toContain('幸福新村社区 · 第1网格');
    expect(text).toContain('扎*');
    expect(text).toContain('卓*');
    expect(text).not.toContain('扎西');
    expect(page.querySelectorAll('.cs__qr')).toHaveLength(2);
  });

  it('shows an error state with a retry', async () => {
    let failing = true;
    mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'grid.households': () => (failing ? fail : { ok: true, data: households }),
    });
    const page = await loadPage('pages/grid/code-sheet/index');
    expect(textOf(page)).toContain('住户名单没有加载出来');
    failing = false;
    tapButton(page, '.cs__retry');
    await flush();
    expect(textOf(page)).toContain('1号楼 1-101');
  });
});

describe('代下单小票 page', () => {
  const slip = {
    orderId: 'o-1',
    place: '3号楼 3-1201',
    headNameMasked: '达*',
    lines: [{ name: '大米 10斤', qty: 1, unit: '袋', priceFen: 3500 }],
    totalFen: 3500,
    payment: '货到付现金',
    code: '4821',
    roundName: '12月第1批',
    closesAt: '2026-12-02T18:00:00+08:00',
    deliveryDay: null,
    status: '已接单',
    createdAt: '2026-12-01T09:30:00+08:00',
  };

  it('lists the orders placed for households and opens one as a slip with its 取货码', async () => {
    mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'testing.orderSlips': () => ({ ok: true, data: { items: [slip], nextCursor: null, total: 1 } }),
    });
    const page = await loadPage('pages/grid/slips/index');
    expect(textOf(page)).toContain('3号楼 3-1201 达*');
    tapButton(page, '.sl__open');
    await flush();
    const text = textOf(page);
    expect(text).toContain('代下单小票');
    expect(text).toContain('大米 10斤 × 1袋');
    expect(text).toContain('4821');
    expect(text).toContain('12-02 18:00 截单后配送');
    expect(text).toContain('请说出取货码');
  });

  it('shows an error state with a retry', async () => {
    let failing = true;
    mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'testing.orderSlips': () => (failing ? fail : { ok: true, data: { items: [slip], nextCursor: null, total: 1 } }),
    });
    const page = await loadPage('pages/grid/slips/index');
    expect(textOf(page)).toContain('代下单记录没有加载出来');
    failing = false;
    tapButton(page, '.sl__retry');
    await flush();
    expect(textOf(page)).toContain('3号楼 3-1201');
  });
});

describe('代登记特殊需求 page', () => {
  const list = {
    items: [
      {
        id: 'h-2',
        buildingId: 'b-1',
        buildingName: '1号楼',
        room: '1-202',
        headName: '多吉',
        phoneMasked: '139****0001',
        members: 1,
        joined: true,
        priority: false,
      },
      {
        id: 'h-1',
        buildingId: 'b-1',
        buildingName: '1号楼',
        room: '1-101',
        headName: '扎西',
        phoneMasked: '139****0000',
        members: 1,
        joined: false,
        priority: false,
      },
    ],
    nextCursor: null,
    total: 2,
    joined: 1,
  };
  const needs = {
    householdId: 'h-1',
    place: '1号楼 1-101',
    joined: false,
    members: [{ memberId: 'm1', nameMasked: '扎*', needs: [], needNote: '' }],
    consent: null,
  };

  it('records needs for a household without WeChat only with who consented, how and when', async () => {
    const { calls } = mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'grid.households': () => ({ ok: true, data: list }),
      'testing.householdNeeds': () => ({ ok: true, data: needs }),
      'testing.recordNeeds': (p) => ({
        ok: true,
        data: {
          ...needs,
          members: [{ ...needs.members[0]!, needs: ['elderlyAlone'] }],
          consent: { ...p.consent!, recordedAt: '2026-12-01T10:00:00+08:00' },
        },
      }),
    });
    const page = await loadPage('pages/grid/needs/index');
    // Households without WeChat first; those in the app record themselves.
    expect(textOf(page).indexOf('1号楼 1-101')).toBeLessThan(textOf(page).indexOf('1号楼 1-202'));
    expect(textOf(page)).toContain('本人登记');
    tapButton(page, '.nd__open');
    await flush();
    expect(textOf(page)).toContain('扎*');
    page.instance.setData({ chosen: { m1: ['elderlyAlone'] } });
    tapButton(page, '.nd__save');
    await flush();
    expect(calls.some((c) => c.action === 'testing.recordNeeds')).toBe(false);
    page.instance.setData({ heardFrom: '户主本人' });
    tapButton(page, '.nd__save');
    await flush();
    expect(calls.find((c) => c.action === 'testing.recordNeeds')?.payload).toMatchObject({
      householdId: 'h-1',
      members: [{ memberId: 'm1', needs: ['elderlyAlone'] }],
      consent: { heardFrom: '户主本人', method: 'visit' },
    });
  });

  it('shows an error state with a retry', async () => {
    let failing = true;
    mockCall({
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'grid.households': () => (failing ? fail : { ok: true, data: list }),
    });
    const page = await loadPage('pages/grid/needs/index');
    expect(textOf(page)).toContain('住户名单没有加载出来');
    failing = false;
    tapButton(page, '.nd__retry');
    await flush();
    expect(textOf(page)).toContain('1号楼 1-101');
  });
});

describe('未检名单: recording by picking a member (no personal code)', () => {
  it('records the member picked at the door and takes them off the list', async () => {
    const round = {
      id: 'tr-1',
      code: 'R1',
      name: '全员核酸',
      date: '2026-12-01',
      points: ['1号采样点', '上门'],
      validHours: 48,
      status: 'open' as const,
    };
    const { calls } = mockCall({
      'user.me': () => ({
        ok: true,
        data: {
          openid: 'gw',
          nickName: 'gw',
          roles: ['gridworker'],
          communityId: 'c',
          adminGridIds: ['g-01'],
          householdId: null,
        } as never,
      }),
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'testing.rounds': () => ({ ok: true, data: { items: [round], nextCursor: null, total: 1 } }),
      'testing.bookings': () => ({ ok: true, data: [] }),
      'testing.coverage': () => ({
        ok: true,
        data: {
          roundId: 'tr-1',
          gridId: 'g-01',
          sampled: 0,
          total: 2,
          buildings: [],
          pending: [
            {
              householdId: 'h-3',
              buildingName: '1号楼',
              room: '3-301',
              members: [
                { memberId: 'm1', nameMasked: '格*', needs: ['elderlyAlone'] },
                { memberId: 'm2', nameMasked: '拉*', needs: [] },
              ],
              knock: null,
            },
          ],
        },
      }),
      'testing.record': () => ({
        ok: true,
        data: {
          duplicate: false,
          card: {
            roundId: 'tr-1',
            roundName: '全员核酸',
            serial: 'R1-G01-0001',
            nameMasked: '格*',
            place: '1号楼 3-301',
            gridName: '第1网格',
            sampledAt: '2026-12-01T09:00:00+08:00',
            validUntil: '2026-12-03T09:00:00+08:00',
            seal: '幸福新村社区居民委员会',
            token: 't',
            qr: 'q',
            result: null,
          },
        },
      }),
    });
    const page = await loadPage('pages/testing/coverage/index');
    tapButton(page, '.cov__pick');
    await flush();
    expect(page.instance.data.pickItems).toEqual([{ label: '格*' }, { label: '拉*' }]);
    await page.instance.onPick({ detail: { index: 0 } });
    await flush();
    expect(calls.find((c) => c.action === 'testing.record')?.payload).toEqual({
      roundId: 'tr-1',
      point: '上门',
      householdId: 'h-3',
      memberId: 'm1',
    });
    expect(page.instance.data.rows).toEqual([
      expect.objectContaining({
        place: '1号楼 3-301',
        people: '拉*',
        needs: [],
        members: [{ memberId: 'm2', nameMasked: '拉*', needs: [] }],
      }),
    ]);
  });
});
