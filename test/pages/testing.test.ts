import type { CardView, TestRoundView } from '../../typings/api';
import { me } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';
import { files } from '../helpers/page-setup';
import { staffGridsView } from './support/staff-data';

const gridworker = me({
  openid: 'gw',
  nickName: 'gw',
  roles: ['gridworker'],
  communityId: 'c',
  adminGridIds: ['g-01'],
  householdId: null,
});
const round: TestRoundView = {
  id: 'tr-1',
  code: 'R1',
  name: '8月20日全员核酸',
  date: '2022-08-20',
  points: ['1号采样点', '上门'],
  validHours: 48,
  status: 'open',
};
const card: CardView = {
  roundId: 'tr-1',
  roundName: '8月20日全员核酸',
  serial: 'R1-G01-0007',
  nameMasked: '次**玛',
  place: '1号楼 1-101',
  gridName: '第1网格',
  sampledAt: '2022-08-20T09:30:00+08:00',
  validUntil: '2022-08-22T09:30:00+08:00',
  seal: '幸福新村社区居民委员会',
  token: 'tok',
  qr: 'data:image/svg+xml;base64,PHN2Zy8+',
  result: null,
};

describe('核酸采样卡 page', () => {
  it('shows the card with sampling time, serial number and the committee’s seal', async () => {
    mockCall({
      'testing.myCards': () => ({ ok: true, data: [card] }),
      'testing.personCodes': () => ({
        ok: true,
        data: [{ memberId: 'm1', nameMasked: '次**玛', token: 'p', qr: 'data:image/svg+xml;base64,PHN2Zy8+' }],
      }),
    });
    const page = await loadPage('pages/testing/cards/index');
    const text = textOf(page);
    expect(text).toContain('核酸已采样');
    expect(text).toContain('次**玛');
    expect(text).toContain('采样时间 08-20 09:30');
    expect(text).toContain('编号 R1-G01-0007');
    expect(text).toContain('幸福新村社区居民委员会');
    expect(text).not.toContain('检测结果');
  });

  it('says until when each card is valid, and that an old one has expired', async () => {
    const validUntil = new Date(Date.now() + 20.5 * 3600_000).toISOString();
    mockCall({
      'testing.myCards': () => ({
        ok: true,
        data: [
          { ...card, validUntil },
          { ...card, serial: 'R1-G01-0001' },
        ],
      }),
      'testing.personCodes': () => ({ ok: true, data: [] }),
    });
    const page = await loadPage('pages/testing/cards/index');
    const text = textOf(page);
    const wall = new Date(Date.parse(validUntil) + 8 * 3600_000).toISOString();
    expect(text).toContain(`有效至 ${wall.slice(5, 10)} ${wall.slice(11, 16)}（还剩约 20 小时）`);
    expect(text).toContain('已过期（08-22 09:30 到期），请参加新一轮采样');
  });

  it('opens on the personal codes when there is no card yet, and books the family for tomorrow', async () => {
    const { calls } = mockCall({
      'testing.book': (p) => ({ ok: true, data: { date: p.date, booked: p.memberIds.length } }),
      'testing.myCards': () => ({ ok: true, data: [] }),
      'testing.personCodes': () => ({
        ok: true,
        data: [{ memberId: 'm1', nameMasked: '格*', token: 'p', qr: 'data:image/svg+xml;base64,PHN2Zy8+' }],
      }),
    });
    const page = await loadPage('pages/testing/cards/index');
    expect(page.instance.data.tab).toBe('codes');
    expect(textOf(page)).toContain('请采样人员扫码登记');
    tapButton(page, '.cards__book-btn');
    await flush();
    const booked = calls.find((c) => c.action === 'testing.book')?.payload as { date: string; memberIds: string[] };
    expect(booked.memberIds).toEqual(['m1']);
    expect(booked.date > new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10)).toBe(true);
    expect(textOf(page)).toContain('已预约明天采样');
  });
});

describe('采样登记 page (sampler)', () => {
  it('scans a personal code and records it at the chosen point; a second scan is not counted', async () => {
    let n = 0;
    const { calls } = mockCall({
      'testing.rounds': (p) => ({
        ok: true,
        data: { items: !p.status || p.status === round.status ? [round] : [], nextCursor: null, total: 1 },
      }),
      'testing.record': () => ({ ok: true, data: { duplicate: (n += 1) > 1, card } }),
      // 21 recorded by this sampler before the page was opened (another session, the same round).
      'testing.myRecords': (p) => ({ ok: true, data: { roundId: p.roundId, recorded: 21 } }),
    });
    (wx.scanCode as jest.Mock).mockImplementation((o: { success: (r: unknown) => void }) =>
      o.success({ result: 'person-code-token' }),
    );
    const page = await loadPage('pages/testing/sample/index');
    expect(textOf(page)).toContain('本轮你已登记 21 人');
    page.instance.onPoint({ detail: { value: '上门' } });
    tapButton(page, '.sample__scan');
    await flush();
    expect(calls.find((c) => c.action === 'testing.record')?.payload).toEqual({
      roundId: 'tr-1',
      point: '上门',
      personCode: 'person-code-token',
    });
    expect(textOf(page)).toContain('登记成功');
    expect(textOf(page)).toContain('本轮你已登记 22 人');
    tapButton(page, '.sample__scan');
    await flush();
    expect(textOf(page)).toContain('本轮已登记过，不重复计数');
    expect(textOf(page)).toContain('本轮你已登记 22 人');
  });
});

describe('查验采样卡 page', () => {
  it('shows a supply hand-out whether the scanned card is this household’s, this round', async () => {
    const { calls } = mockCall({
      'testing.verify': () => ({
        ok: true,
        data: {
          status: 'otherHolder',
          checkedRoundId: 'tr-1',
          checkedRoundName: '8月20日全员核酸',
          text: '不是本户的采样卡',
          nameMasked: '张*',
          serial: 'R1-G01-0001',
          roundId: 'tr-1',
          sampledAt: '2022-08-20T09:00:00+08:00',
        },
      }),
    });
    (wx.scanCode as jest.Mock).mockImplementationOnce((o: { success: (r: unknown) => void }) =>
      o.success({ result: 'card-token' }),
    );
    const page = await loadPage('pages/testing/verify/index', { roundId: 'tr-1', householdId: 'h-0001' });
    tapButton(page, '.verify__scan');
    await flush();
    expect(calls.find((c) => c.action === 'testing.verify')?.payload).toEqual({
      token: 'card-token',
      roundId: 'tr-1',
      householdId: 'h-0001',
    });
    expect(textOf(page)).toContain('不是本户的采样卡');
    expect(textOf(page)).toContain('张* · 编号 R1-G01-0001');
    expect(textOf(page)).toContain('查验轮次：8月20日全员核酸');
    expect(wx.vibrateLong).toHaveBeenCalled();
  });
});

describe('未检名单 page (gridworker)', () => {
  it('shows coverage per building and the missing, and records a door knock', async () => {
    const knocks: unknown[] = [];
    mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'testing.rounds': (p) => ({
        ok: true,
        data: { items: !p.status || p.status === round.status ? [round] : [], nextCursor: null, total: 1 },
      }),
      'testing.bookings': () => ({
        ok: true,
        data: [
          {
            householdId: 'h-0009',
            buildingName: '1号楼',
            room: '1-902',
            nameMasked: '扎*',
            needs: [],
            id: 'bk-1',
            reason: 'returnee',
            status: 'booked',
          },
        ],
      }),
      'testing.coverage': () => ({
        ok: true,
        data: {
          roundId: 'tr-1',
          gridId: 'g-01',
          sampled: 30,
          total: 40,
          buildings: [{ buildingId: 'b-001', buildingName: '1号楼', sampled: 30, total: 40 }],
          pending: [
            {
              householdId: 'h-0003',
              buildingName: '1号楼',
              room: '3-301',
              members: [{ memberId: 'm', nameMasked: '格*', needs: ['dialysis'] }],
              knock: null,
            },
          ],
        },
      }),
      'testing.knock': (p) => {
        knocks.push(p);
        return { ok: true, data: { householdId: 'h-0003', status: 'cannotCome' } };
      },
    });
    const page = await loadPage('pages/testing/coverage/index');
    const text = textOf(page);
    expect(text).toContain('已采 30 / 应采 40 人 · 明日预约 1 人');
    expect(text).toContain('1号楼 3-301');
    expect(text).toContain('血透');
    tapButton(page, '.cov__knock');
    await flush();
    await page.instance.onKnock({ detail: { index: 1 } });
    expect(knocks).toEqual([{ roundId: 'tr-1', householdId: 'h-0003', status: 'cannotCome' }]);
  });

  it('exports the list as Excel and opens it to print or forward', async () => {
    mockCall({
      'user.me': () => ({ ok: true, data: gridworker }),
      'grid.staffGrids': () => ({ ok: true, data: staffGridsView({}) }),
      'testing.rounds': (p) => ({
        ok: true,
        data: { items: !p.status || p.status === round.status ? [round] : [], nextCursor: null, total: 1 },
      }),
      'testing.coverage': () => ({
        ok: true,
        data: { roundId: 'tr-1', gridId: 'g-01', sampled: 0, total: 0, buildings: [], pending: [] },
      }),
      'testing.bookings': () => ({ ok: true, data: [] }),
      'testing.exportCoverage': () => ({
        ok: true,
        data: { fileName: '8月20日-第1网格-采样统计.xlsx', base64: 'UEsDBA==', rows: 0 },
      }),
    });
    const page = await loadPage('pages/testing/coverage/index');
    tapButton(page, '.cov__export');
    await flush();
    expect(files.get('wxfile://usr/8月20日-第1网格-采样统计.xlsx')).toBe('UEsDBA==');
    expect(wx.openDocument).toHaveBeenCalledWith(
      expect.objectContaining({
        filePath: 'wxfile://usr/8月20日-第1网格-采样统计.xlsx',
        fileType: 'xlsx',
        showMenu: true,
      }),
    );
  });
});
