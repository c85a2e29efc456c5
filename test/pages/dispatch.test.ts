import type {
  BoardView,
  JobCardView,
  JobDetailView,
  JobStopView,
  Page,
  PoolOrderView,
  PoolView,
  StaffGridsView,
} from '../../typings/api';
import { orderView, poolOrder } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const pool = (orders: PoolOrderView[], nextCursor: string | null = null, total = orders.length): PoolView => ({
  gridId: 'g-01',
  grids: [{ id: 'g-01', name: '第1网格', waiting: total }],
  rounds: [{ id: 'r1', name: '第1批次' }],
  buildings: [{ id: 'b1', name: '1号楼' }],
  counts: { submitted: total },
  items: orders,
  nextCursor,
  total,
});

/** The gridworker's grids as grid.staffGrids answers (one grid: no switcher). */
const oneGrid = (over: Partial<StaffGridsView['grids'][number]> = {}): StaffGridsView => ({
  grids: [{ id: 'g-01', name: '第1网格', submitted: 0, accepted: 2, failed: 0, joins: 0, waiting: 2, ...over }],
  withWork: 'g-01',
  withOrders: 'g-01',
  withDispatch: 'g-01',
});

/** A page of a list. */
const paged = <T>(items: T[], nextCursor: string | null = null, total = items.length): Page<T> => ({
  items,
  nextCursor,
  total,
});

const card = (id: string, over: Partial<JobCardView> = {}): JobCardView => ({
  id,
  title: '1号楼 2–5层 · 2户',
  status: 'assigned',
  statusText: '待取货',
  buildingNames: ['1号楼'],
  stopCount: 2,
  pendingCount: 2,
  weightKg: 6,
  priority: false,
  medicine: false,
  reason: '同楼2–5层2单合并一趟，共6.0kg；该志愿者负责这栋楼；共分到1趟，约12分钟送完（全体志愿者12分钟内送完）',
  reasonShort: '2户一趟 · 约12分钟送完',
  reasonDetails: ['同一栋楼2–5层的2户一趟送，共约6公斤', '这栋楼是扎西负责的楼'],
  volunteerId: 'vol-1',
  volunteerName: '扎*',
  mine: false,
  pickupBy: '2022-08-20T03:00:00Z',
  pickupShortfall: [],
  codeLocked: false,
  collect: false,
  ...over,
});

describe('订单池 → 派单看板 (gridworker)', () => {
  it('accepts all waiting orders, rejects one with a reason, and shows special needs first', async () => {
    let orders = [poolOrder('o1', '1-201', { priority: true }), poolOrder('o2', '1-301')];
    const { calls } = mockCall({
      'dispatch.pool': () => ({ ok: true, data: pool(orders) }),
      'dispatch.review': (p) => {
        orders = orders.filter((o) => !p.orderIds.includes(o.id));
        return { ok: true, data: { changed: p.orderIds.length, skipped: 0 } };
      },
    });
    const page = await loadPage('pages/dispatch/pool/index');
    const text = textOf(page);
    expect(text).toContain('1号楼 1-201');
    expect(text).toContain('特殊需求');
    expect(text).toContain('土豆 4斤');
    expect(text).toContain('138****0001');
    expect(text).toContain('全部接单（2 单）');

    page.instance.askReject({ currentTarget: { dataset: { id: 'o2' } } });
    await flush();
    const dialog = page.querySelector('.pool__reason-dialog');
    dialog!.instance.onInput({ detail: { value: '土豆今日缺货' } });
    dialog!.instance.onConfirm();
    await flush();
    expect(calls.find((c) => c.action === 'dispatch.review')?.payload).toEqual({
      orderIds: ['o2'],
      accept: false,
      reason: '土豆今日缺货',
    });

    tapButton(page, '.pool__accept-all');
    await flush();
    expect(calls.filter((c) => c.action === 'dispatch.review').at(-1)?.payload).toEqual({
      orderIds: ['o1'],
      accept: true,
    });
    expect(textOf(page)).toContain('已接单 1 单');
    expect(textOf(page)).toContain('第1网格现在没有待接单的订单');

    tapButton(page, '.pool__to-board');
    await flush();
    expect(wx.navigateTo).toHaveBeenCalledWith({ url: '/pages/dispatch/board/index?gridId=g-01' });
  });

  it('shows the total, loads the next page on scroll, and accepts all across pages in batches', async () => {
    const all = Array.from({ length: 250 }, (_, i) => poolOrder(`o${i}`, `1-${100 + i}`));
    const reviewed: string[][] = [];
    const { calls } = mockCall({
      'dispatch.pool': (p) => {
        const from = p.cursor ? Number(p.cursor) : 0;
        const size = p.limit ?? 50;
        const rest = all.filter((o) => !reviewed.flat().includes(o.id));
        const next = from + size < rest.length ? String(from + size) : null;
        return { ok: true, data: pool(rest.slice(from, from + size), next, rest.length) };
      },
      'dispatch.review': (p) => {
        reviewed.push(p.orderIds);
        return { ok: true, data: { changed: p.orderIds.length, skipped: 0 } };
      },
    });
    const page = await loadPage('pages/dispatch/pool/index');
    expect(page.instance.data.rows).toHaveLength(50);
    expect(textOf(page)).toContain('共 250 单，已显示 50 单');
    expect(textOf(page)).toContain('全部接单（250 单）');
    expect(textOf(page)).toContain('上拉加载更多');
    await page.instance.onReachBottom();
    await flush();
    expect(calls.filter((c) => c.action === 'dispatch.pool').at(-1)?.payload).toEqual({
      gridId: 'g-01',
      status: 'submitted',
      cursor: '50',
    });
    expect(page.instance.data.rows.map((r: { id: string }) => r.id)).toEqual(all.slice(0, 100).map((o) => o.id));
    expect(textOf(page)).toContain('已显示 100 单');

    tapButton(page, '.pool__accept-all');
    await flush();
    await flush();
    expect(reviewed.every((b) => b.length <= 200)).toBe(true);
    expect(reviewed.flat().sort()).toEqual(all.map((o) => o.id).sort());
    expect(textOf(page)).toContain('已接单 250 单');
  });

  it('runs the dispatch, shows who got what and why, and reassigns a job', async () => {
    let jobs: BoardView['jobs'] = [];
    const board = (): BoardView => ({
      gridId: 'g-01',
      gridName: '第1网格',
      jobs,
      acceptedWaiting: jobs.length ? 0 : 2,
      volunteers: [
        {
          id: 'vol-1',
          name: '扎西',
          phoneMasked: '138****0001',
          capacityKg: 15,
          activeJobs: jobs.length,
          carryingKg: jobs.length ? 6 : 0,
          doors: jobs.length ? 2 : 0,
          carryText: '徒手15公斤',
        },
        {
          id: 'vol-2',
          name: '卓玛',
          phoneMasked: '139****0002',
          capacityKg: 20,
          activeJobs: 0,
          carryingKg: 0,
          doors: 0,
          carryText: '徒手20公斤',
        },
      ],
      gas: { toCollect: 0, collecting: 0, atStation: 0, toReturn: 0 },
    });
    const stops: BoardView['jobs'][number]['stops'] = [
      {
        orderId: 'o1',
        room: '1-201',
        status: 'assigned',
        statusText: '已安排志愿者配送',
        shortfall: [],
        failReason: null,
        unplaced: null,
        gasLeg: null,
      },
      {
        orderId: 'o2',
        room: '1-501',
        status: 'assigned',
        statusText: '已安排志愿者配送',
        shortfall: [],
        failReason: null,
        unplaced: null,
        gasLeg: null,
      },
    ];
    const { calls } = mockCall({
      'grid.staffGrids': () => ({ ok: true, data: oneGrid() }),
      'dispatch.board': () => ({ ok: true, data: board() }),
      'dispatch.run': () => {
        jobs = [{ ...card('j1'), stops }];
        return { ok: true, data: { jobs: [card('j1')], assignedOrders: 2, openOrders: 0, skipped: 0, unassigned: [] } };
      },
      'dispatch.reassign': (p) => {
        jobs = [
          {
            ...card('j1', {
              volunteerId: p.volunteerId,
              volunteerName: '卓玛',
              reason: '网格员改派给卓*',
              reasonShort: '网格员改派',
              reasonDetails: [],
            }),
            stops,
          },
        ];
        return { ok: true, data: card('j1', { volunteerId: p.volunteerId }) };
      },
    });
    const page = await loadPage('pages/dispatch/board/index', { gridId: 'g-01' });
    expect(textOf(page)).toContain('待派单 2 单');
    tapButton(page, '.board__run');
    await flush();
    expect(calls.find((c) => c.action === 'dispatch.run')?.payload).toEqual({ gridId: 'g-01' });
    const text = textOf(page);
    expect(text).toContain('派出 1 趟，2 单已有志愿者');
    expect(text).toContain('1号楼 2–5层 · 2户');
    expect(text).toContain('2户一趟 · 约12分钟送完');
    expect(text).not.toContain('该志愿者');
    expect(text).not.toContain('已安排志愿者配送');
    expect(text).toContain('1-501');
    // The reasons behind it, on tap.
    expect(text).not.toContain('这栋楼是扎西负责的楼');
    page.instance.toggleWhy({ currentTarget: { dataset: { id: 'j1' } } });
    await flush();
    expect(textOf(page)).toContain('这栋楼是扎西负责的楼');
    // On-duty volunteers listed with what each carries: names in full for the gridworker, phones masked.
    expect(textOf(page)).toContain('扎西');
    expect(textOf(page)).toContain('手上 1 趟 · 2 户 · 6公斤');
    expect(textOf(page)).toContain('139****0002');

    tapButton(page, '.board__reassign');
    await flush();
    expect(page.instance.data.sheetItems).toEqual([{ label: '卓玛（空闲，徒手20公斤）' }]);
    await page.instance.onReassign({ detail: { index: 0 } });
    await flush();
    expect(calls.find((c) => c.action === 'dispatch.reassign')?.payload).toEqual({
      jobId: 'j1',
      volunteerId: 'vol-2',
      fromVolunteerId: 'vol-1',
    });
    expect(textOf(page)).toContain('网格员改派');
    expect(textOf(page)).toContain('卓玛');
  });

  it('shows a job whose 取货码 is locked and unlocks it after the gridworker checked', async () => {
    let locked = true;
    const stops: BoardView['jobs'][number]['stops'] = [
      {
        orderId: 'o1',
        room: '东101',
        status: 'pickedUp',
        statusText: '配送中',
        shortfall: [],
        failReason: null,
        unplaced: null,
        gasLeg: null,
      },
    ];
    const board = (): BoardView => ({
      gridId: 'g-01',
      gridName: '第1网格',
      acceptedWaiting: 0,
      volunteers: [
        {
          id: 'vol-1',
          name: '扎西',
          phoneMasked: '138****0001',
          capacityKg: 15,
          activeJobs: 1,
          carryingKg: 2,
          doors: 1,
          carryText: '徒手15公斤',
        },
      ],
      gas: { toCollect: 0, collecting: 0, atStation: 0, toReturn: 0 },
      jobs: [{ ...card('j1', { status: 'pickedUp', statusText: '配送中', codeLocked: locked }), stops }],
    });
    const { calls } = mockCall({
      'grid.staffGrids': () => ({ ok: true, data: oneGrid() }),
      'dispatch.board': () => ({ ok: true, data: board() }),
      'dispatch.unlockCode': (p) => {
        locked = false;
        return { ok: true, data: card(p.jobId, { status: 'pickedUp', statusText: '配送中' }) };
      },
    });
    const page = await loadPage('pages/dispatch/board/index', { gridId: 'g-01' });
    expect(textOf(page)).toContain('取货码输错次数过多，已锁定');
    tapButton(page, '.board__unlock');
    await flush();
    expect(calls.find((c) => c.action === 'dispatch.unlockCode')?.payload).toEqual({ jobId: 'j1' });
    expect(textOf(page)).not.toContain('已锁定');
    expect(page.querySelector('.board__unlock')).toBeFalsy();
  });

  it('prints the purchase list with units and the packing list per building, and exports Excel', async () => {
    const { calls } = mockCall({
      'grid.staffGrids': () => ({ ok: true, data: oneGrid() }),
      'dispatch.pool': () => ({ ok: true, data: pool([]) }),
      'dispatch.purchaseList': () => ({
        ok: true,
        data: {
          roundId: 'r1',
          roundName: '第1批次',
          scope: '第1网格',
          orderCount: 3,
          basis: '已接单的订单（不含待接单）',
          withSubmitted: false,
          submittedLeftOut: 2,
          items: [{ itemId: 'item-009', name: '土豆', unit: '斤', qty: 12, orders: 3 }],
          medicine: 1,
          gas: 0,
        },
      }),
      'dispatch.packingList': () => ({
        ok: true,
        data: {
          roundId: 'r1',
          roundName: '第1批次',
          gridName: '第1网格',
          basis: '已接单的订单（不含待接单）',
          buildings: [
            {
              buildingId: 'b1',
              buildingName: '1号楼',
              rooms: [
                {
                  orderId: 'o1',
                  room: '1-201',
                  headMasked: '次**玛',
                  phoneMasked: '138****0001',
                  priority: true,
                  contactless: true,
                  lines: '土豆×4斤',
                  note: '',
                },
              ],
            },
          ],
        },
      }),
      'dispatch.exportLists': () => ({
        ok: true,
        data: { fileName: '第1批次-第1网格-分拣单.xlsx', base64: 'UEsDBA==', rows: 1 },
      }),
    });
    const page = await loadPage('pages/dispatch/lists/index', { gridId: 'g-01', roundId: 'r1' });
    expect(textOf(page)).toContain('12 斤');
    expect(textOf(page)).toContain('代购药品');
    // Which orders it counts: accepted ones only by default, and how many 待接单 are left out.
    expect(textOf(page)).toContain('只算已接单的 3 单；还有 2 单待接单未计入');
    expect(calls.find((c) => c.action === 'dispatch.purchaseList')?.payload).toEqual({
      roundId: 'r1',
      gridId: 'g-01',
      withSubmitted: false,
    });
    await page.instance.toggleWide();
    expect(calls.filter((c) => c.action === 'dispatch.purchaseList').at(-1)?.payload).toEqual({
      roundId: 'r1',
      withSubmitted: false,
    });
    expect(page.instance.data.wide).toBe(true);
    page.instance.onTab({ detail: { value: 'packing' } });
    await flush();
    expect(textOf(page)).toContain('1号楼（1 户）');
    expect(textOf(page)).toContain('138****0001');
    tapButton(page, '.lists__export');
    await flush();
    expect(calls.find((c) => c.action === 'dispatch.exportLists')?.payload).toEqual({
      roundId: 'r1',
      gridId: 'g-01',
      list: 'packing',
      withSubmitted: false,
    });
    expect(wx.openDocument).toHaveBeenCalled();
  });
});

describe('抢单 → 取货 → 送达 (volunteer)', () => {
  it('shows how many jobs there are and loads more of the tab shown on scroll', async () => {
    const open = Array.from({ length: 70 }, (_, i) =>
      card(`open-${i}`, { status: 'open', statusText: '待接单', volunteerId: null, title: `任务${i}` }),
    );
    const { calls } = mockCall({
      'dispatch.myJobs': () => ({ ok: true, data: paged([card('m1', { mine: true })], null, 1) }),
      'dispatch.openJobs': (p) => ({
        ok: true,
        data: p.cursor ? paged(open.slice(50), null, 70) : paged(open.slice(0, 50), 'c50', 70),
      }),
    });
    const page = await loadPage('pages/volunteer/jobs/index');
    expect(page.instance.data.openTotal).toBe(70);
    expect(page.instance.data.mineTotal).toBe(1);
    page.instance.onTab({ detail: { value: 'open' } });
    await flush();
    expect(textOf(page)).toContain('共 70 个 · 上拉加载更多');
    await page.instance.onReachBottom();
    await flush();
    expect(calls.filter((c) => c.action === 'dispatch.openJobs').at(-1)?.payload).toEqual({ cursor: 'c50' });
    expect(page.instance.data.open.map((r: { id: string }) => r.id)).toEqual(open.map((j) => j.id));
    expect(textOf(page)).toContain('已全部加载');
    // The end of the list: no further call.
    const before = calls.length;
    await page.instance.onReachBottom();
    expect(calls.length).toBe(before);
  });

  it('grabs an open job; a job someone else took says so clearly', async () => {
    let taken = false;
    const { calls } = mockCall({
      'dispatch.myJobs': () => ({ ok: true, data: paged([]) }),
      'dispatch.openJobs': () => ({
        ok: true,
        data: paged(
          taken
            ? []
            : [
                card('j1', {
                  status: 'open',
                  statusText: '待接单',
                  volunteerId: null,
                  volunteerName: null,
                  priority: true,
                }),
                card('j2', { status: 'open', statusText: '待接单', volunteerId: null }),
              ],
        ),
      }),
      'dispatch.grab': (p) => {
        if (p.jobId === 'j2') return { ok: false, code: 'JOB.TAKEN', message: '手慢了，这个任务已被其他志愿者接走' };
        taken = true;
        return {
          ok: true,
          data: { ...card('j1', { mine: true }), totals: [], pickupPlace: '社区物资中转站', purchases: [], stops: [] },
        };
      },
    });
    const page = await loadPage('pages/volunteer/jobs/index');
    page.instance.onTab({ detail: { value: 'open' } });
    await flush();
    expect(textOf(page)).toContain('抢到后显示门牌和电话');
    expect(textOf(page)).toContain('特殊需求');
    await page.instance.grab({ currentTarget: { dataset: { id: 'j2' } } });
    await flush();
    expect(textOf(page)).toContain('已被其他志愿者接走');
    await page.instance.grab({ currentTarget: { dataset: { id: 'j1' } } });
    await flush();
    expect(calls.filter((c) => c.action === 'dispatch.grab').map((c) => c.payload)).toEqual([
      { jobId: 'j2' },
      { jobId: 'j1' },
    ]);
    expect(page.instance.data.tab).toBe('mine');
    expect(textOf(page)).toContain('抢单成功');
  });

  it("counts at pickup, then delivers door by door with the resident's code", async () => {
    const stop = (orderId: string, room: string, status: 'assigned' | 'pickedUp' | 'delivered'): JobStopView => ({
      orderId,
      floor: 2,
      status,
      statusText: status === 'delivered' ? '已送达' : status === 'pickedUp' ? '配送中' : '已派单',
      address: `1号楼 ${room}`,
      phone: '13800000001',
      headName: '次仁卓玛',
      lines: [{ itemId: 'item-009', name: '土豆', unit: '斤', qty: 4 }],
      priority: false,
      medicine: false,
      medicineText: null,
      urgent: false,
      prescriptionFileId: null,
      contactless: false,
      note: '',
      weightKg: 2,
      shortfall: [],
      failReason: null,
      gasLeg: null,
      legDone: false,
      legText: '',
    });
    let state: 'assigned' | 'pickedUp' | 'one' | 'done' = 'assigned';
    const detail = (): JobDetailView => ({
      ...card('j1', {
        mine: true,
        status: state === 'assigned' ? 'assigned' : state === 'done' ? 'done' : 'pickedUp',
        statusText: state === 'assigned' ? '待取货' : '配送中',
      }),
      totals: [{ itemId: 'item-009', name: '土豆', unit: '斤', qty: 8 }],
      pickupPlace: '社区物资中转站',
      purchases: [],
      stops: [
        stop('o1', '1-201', state === 'assigned' ? 'assigned' : state === 'pickedUp' ? 'pickedUp' : 'delivered'),
        stop('o2', '1-202', state === 'assigned' ? 'assigned' : state === 'done' ? 'delivered' : 'pickedUp'),
      ],
    });
    const { calls } = mockCall({
      'dispatch.job': () => ({ ok: true, data: detail() }),
      'dispatch.pickUp': () => {
        state = 'pickedUp';
        return {
          ok: true,
          data: { job: card('j1', { mine: true, status: 'pickedUp', statusText: '配送中' }), pickedUp: ['o1', 'o2'] },
        };
      },
      'dispatch.deliver': (p) => {
        if (p.code !== '4321')
          return { ok: false, code: 'JOB.WRONG_CODE', message: '取货码不对，请核对居民出示的取货码' };
        state = state === 'pickedUp' ? 'one' : 'done';
        return {
          ok: true,
          data: {
            orderId: p.orderId,
            status: 'delivered',
            shortfall: [],
            jobStatus: state === 'done' ? 'done' : 'pickedUp',
          },
        };
      },
    });
    const page = await loadPage('pages/volunteer/job/index', { id: 'j1' });
    expect(textOf(page)).toContain('取货清点');
    expect(textOf(page)).toContain('应取 8斤');
    page.instance.onCount({ detail: { value: 7 }, currentTarget: { dataset: { item: 'item-009' } } });
    tapButton(page, '.job__pickup');
    await flush();
    expect(calls.find((c) => c.action === 'dispatch.pickUp')?.payload).toEqual({
      jobId: 'j1',
      counts: { 'item-009': 7 },
    });
    expect(page.instance.data.stops.map((st: { open: boolean }) => st.open)).toEqual([true, true]);
    expect(calls.filter((c) => c.action === 'dispatch.job')).toHaveLength(1);
    expect(textOf(page)).toContain('13800000001');

    page.instance.onCode({ detail: { value: '1111' }, currentTarget: { dataset: { id: 'o1' } } });
    await page.instance.withCode({ currentTarget: { dataset: { id: 'o1' } } });
    await flush();
    expect(textOf(page)).toContain('取货码不对');
    page.instance.onCode({ detail: { value: '4321' }, currentTarget: { dataset: { id: 'o1' } } });
    await page.instance.withCode({ currentTarget: { dataset: { id: 'o1' } } });
    await flush();
    expect(textOf(page)).toContain('已送达');
    page.instance.onCode({ detail: { value: '4321' }, currentTarget: { dataset: { id: 'o2' } } });
    await page.instance.withCode({ currentTarget: { dataset: { id: 'o2' } } });
    await flush();
    expect(calls.filter((c) => c.action === 'dispatch.deliver').at(-1)?.payload).toEqual({
      jobId: 'j1',
      orderId: 'o2',
      code: '4321',
    });
    expect(textOf(page)).toContain('全部送达，辛苦了！');
  });

  it('shows no door or phone on a job that is not mine', async () => {
    mockCall({
      'dispatch.job': () => ({
        ok: true,
        data: {
          ...card('j9', { status: 'open', statusText: '待接单', volunteerId: null }),
          totals: [],
          pickupPlace: '社区物资中转站',
          purchases: [],
          stops: [
            {
              orderId: 'o1',
              floor: 5,
              status: 'assigned',
              statusText: '已派单',
              address: null,
              phone: null,
              headName: null,
              lines: [],
              priority: false,
              medicine: true,
              medicineText: null,
              urgent: false,
              prescriptionFileId: null,
              contactless: false,
              note: '',
              weightKg: 1,
              shortfall: [],
              failReason: null,
              gasLeg: null,
              legDone: false,
              legText: '',
            },
          ],
        },
      }),
    });
    const page = await loadPage('pages/volunteer/job/index', { id: 'j9' });
    const text = textOf(page);
    expect(text).toContain('5 层');
    expect(text).toContain('抢到后显示门牌号和电话');
    expect(page.querySelector('.job__phone')).toBeFalsy();
    expect(text).not.toContain('拨打');
  });
});

describe("取货码 on the resident's order detail", () => {
  it('shows the code the resident gives the volunteer at the door', async () => {
    mockCall({
      'order.detail': () => ({
        ok: true,
        data: {
          id: 'o1',
          kind: 'grocery',
          status: 'pickedUp',
          statusText: '志愿者已取货，正在配送',
          roundId: 'r1',
          lines: [{ itemId: 'item-009', name: '土豆', unit: '斤', qty: 4, priceFen: 200 }],
          medicine: null,
          gas: null,
          totalFen: 800,
          payment: 'cashOnDelivery',
          contactless: false,
          note: '',
          priority: false,
          onBehalf: false,
          room: '1-201',
          rejectReason: null,
          createdAt: '2022-08-20T02:00:00Z',
          canCancel: false,
          canConfirm: false,
          history: [],
          contacts: [],
          handoverCode: '0427',
          pay: orderView().pay,
        },
      }),
    });
    const page = await loadPage('pages/resident/order-detail/index', { id: 'o1' });
    expect(textOf(page)).toContain('取货码（志愿者送到时出示）');
    expect(textOf(page)).toContain('0427');
  });
});
