/** Pages of issue 12's gas swaps and carrying: the board's gas line and refill tap, a collection round, the register's carry fields, the resident's legs. */
import type { BoardView, JobDetailView, MyVolunteerView } from '../../typings/api';
import { orderDetail } from '../helpers/fixtures';
import { flush, loadPage, mockCall, tapButton, textOf } from '../helpers/page';

jest.setTimeout(30_000);

const grids = {
  grids: [{ id: 'g-01', name: '第1网格', submitted: 0, accepted: 1, failed: 0, joins: 0, waiting: 1 }],
  withWork: 'g-01',
  withOrders: 'g-01',
  withDispatch: 'g-01',
};

describe('派单看板: gas and what cannot be placed', () => {
  it('shows the gas stages and an unplaced cylinder with its reason; marks the fulls back', async () => {
    let atStation = 2;
    const board = (): BoardView => ({
      gridId: 'g-01',
      gridName: '第1网格',
      acceptedWaiting: 1,
      volunteers: [
        {
          id: 'v1',
          name: '扎西',
          phoneMasked: '138****0001',
          capacityKg: 10,
          activeJobs: 0,
          carryingKg: 0,
          doors: 0,
          carryText: '徒手10公斤',
        },
      ],
      gas: { toCollect: 0, collecting: 1, atStation, toReturn: 2 - atStation },
      jobs: [
        {
          id: 'j1',
          title: '收空瓶 · 1号楼 5层 · 1户',
          status: 'open',
          statusText: '待接单',
          buildingNames: ['1号楼'],
          stopCount: 1,
          pendingCount: 1,
          weightKg: 15,
          priority: false,
          medicine: false,
          reason: '15公斤空煤气罐：当前在岗志愿者都无法搬运（最多能搬10公斤），请指派有推车的志愿者',
          reasonShort: '15公斤空煤气罐：当前在岗志愿者都无法搬运（最多能搬10公斤），请指派有推车的志愿者',
          reasonDetails: [],
          volunteerId: null,
          volunteerName: null,
          mine: false,
          pickupBy: null,
          pickupShortfall: [],
          codeLocked: false,
          collect: true,
          stops: [
            {
              orderId: 'o1',
              room: '1-501',
              status: 'accepted',
              statusText: '已接单',
              shortfall: [],
              failReason: null,
              unplaced: '15公斤空煤气罐：当前在岗志愿者都无法搬运（最多能搬10公斤），请指派有推车的志愿者',
              gasLeg: 'collectEmpty',
            },
          ],
        },
      ],
    });
    const { calls } = mockCall({
      'grid.staffGrids': () => ({ ok: true, data: grids }),
      'dispatch.board': () => ({ ok: true, data: board() }),
      'dispatch.gasRefilled': () => {
        atStation = 0;
        return { ok: true, data: { changed: 2 } };
      },
    });
    const page = await loadPage('pages/dispatch/board/index', { gridId: 'g-01' });
    const text = textOf(page);
    expect(text).toContain('换气：取空瓶中 1 罐 · 送站充气 2 罐');
    expect(text).toContain('收空瓶');
    expect(text).toContain('当前在岗志愿者都无法搬运');
    expect(text).toContain('请指派有推车的志愿者');
    expect(text).toContain('徒手10公斤');
    // The tag says 收空瓶 (the title does not repeat it); the reason is said once, at the door; no 已接单 per door.
    expect(page.querySelector('.board__title')?.dom.textContent).toBe('1号楼 5层 · 1户');
    expect(text.split('当前在岗志愿者都无法搬运').length - 1).toBe(1);
    expect(text).not.toContain('已接单');
    tapButton(page, '.board__refilled');
    await flush();
    expect(calls.find((c) => c.action === 'dispatch.gasRefilled')?.payload).toEqual({ gridId: 'g-01' });
    expect(textOf(page)).toContain('待送满瓶 2 罐');
    expect(page.querySelector('.board__refilled')).toBeFalsy();
  });

  it('shows an error state with a retry when the board does not load', async () => {
    let fail = true;
    mockCall({
      'grid.staffGrids': () => ({ ok: true, data: grids }),
      'dispatch.board': () =>
        fail
          ? { ok: false, code: 'COMMON.INTERNAL', message: '服务暂时不可用' }
          : { ok: true, data: { gridId: 'g-01', gridName: '第1网格', acceptedWaiting: 0, volunteers: [], jobs: [] } },
    });
    const page = await loadPage('pages/dispatch/board/index', { gridId: 'g-01' });
    expect(page.querySelector('.board__retry')).toBeTruthy();
    fail = false;
    tapButton(page, '.board__retry');
    await flush();
    expect(page.querySelector('.board__retry')).toBeFalsy();
    expect(textOf(page)).toContain('待派单 0 单');
  });
});

describe('收空瓶 (volunteer)', () => {
  it('marks 已取空瓶 at a door of a collection round; an error is shown', async () => {
    let collected = false;
    const detail = (): JobDetailView => ({
      id: 'j1',
      title: '收空瓶 · 1号楼 5层 · 1户',
      status: collected ? 'done' : 'assigned',
      statusText: collected ? '已完成' : '待取货',
      buildingNames: ['1号楼'],
      stopCount: 1,
      pendingCount: collected ? 0 : 1,
      weightKg: 15,
      priority: false,
      medicine: false,
      reason: '上门取空瓶',
      reasonShort: '上门取空瓶',
      reasonDetails: [],
      volunteerId: 'me',
      volunteerName: '我',
      mine: true,
      pickupBy: null,
      pickupShortfall: [],
      codeLocked: false,
      collect: true,
      totals: [],
      pickupPlace: '社区物资中转站',
      purchases: [],
      stops: [
        {
          orderId: 'o1',
          floor: 5,
          status: 'accepted',
          statusText: '已接单',
          address: '1号楼 1-501',
          phone: '13800000001',
          headName: '次仁',
          lines: [{ itemId: 'gas', name: '液化气换瓶（15kg）', unit: '罐', qty: 1 }],
          priority: false,
          medicine: false,
          medicineText: null,
          urgent: false,
          prescriptionFileId: null,
          contactless: true,
          note: '',
          weightKg: 15,
          shortfall: [],
          failReason: null,
          gasLeg: 'collectEmpty',
          legDone: collected,
          legText: collected ? '已取空瓶' : '待取空瓶',
        },
      ],
    });
    let refuse = true;
    const { calls } = mockCall({
      'dispatch.job': () => ({ ok: true, data: detail() }),
      'dispatch.collectEmpty': () => {
        if (refuse) return { ok: false, code: 'JOB.BAD_STATE', message: '任务已退回或已改派，请刷新' };
        collected = true;
        return { ok: true, data: { orderId: 'o1', status: 'accepted', shortfall: [], jobStatus: 'done' } };
      },
    });
    const page = await loadPage('pages/volunteer/job/index', { id: 'j1' });
    expect(textOf(page)).toContain('上门收空瓶（不用取货）');
    // Nothing to pick up: the round is 待上门收瓶, its doors 逐户收空瓶 (not 待取货 / 逐户送达).
    expect(textOf(page)).toContain('待上门收瓶');
    expect(textOf(page)).toContain('逐户收空瓶（1 户）');
    expect(textOf(page)).not.toContain('待取货');
    expect(page.querySelector('.job__pickup')).toBeFalsy();
    tapButton(page, '.job__collected');
    await flush();
    expect(page.instance.data.busy).toBe(false);
    refuse = false;
    tapButton(page, '.job__collected');
    await flush();
    expect(calls.filter((c) => c.action === 'dispatch.collectEmpty').at(-1)?.payload).toEqual({
      jobId: 'j1',
      orderId: 'o1',
    });
    expect(textOf(page)).toContain('换气：已取空瓶');
    expect(page.querySelector('.job__collected')).toBeFalsy();
  });
});

describe('志愿者报到: what I can carry', () => {
  it('sends kg by hand and the trolley, and refuses an impossible weight locally', async () => {
    const me = (carry: MyVolunteerView['carry']) =>
      ({
        status: 'pending',
        statusText: '待审核',
        name: '卓玛',
        phoneMasked: '139****5678',
        partyMember: false,
        partyBranch: null,
        workUnit: '无',
        communityId: 'c-xingfu',
        communityName: '幸福社区',
        gridIds: ['g-01'],
        gridNames: ['第1网格'],
        teamsWished: ['delivery'],
        skills: [],
        slots: ['morning'],
        team: null,
        buildingNames: [],
        pendingChange: null,
        capacityKg: 45,
        rejectReason: null,
        onDuty: false,
        dutySince: null,
        carry,
      }) as MyVolunteerView;
    const { calls } = mockCall({
      'volunteer.me': () => ({ ok: true, data: me({ handKg: 10, aid: 'none' }) }),
      'household.communities': () => ({ ok: true, data: [{ id: 'c-xingfu', name: '幸福社区', district: '城关区' }] }),
      'volunteer.prefill': () => ({
        ok: true,
        data: { name: '', phoneMasked: null, communityId: 'c-xingfu', gridId: null },
      }),
      'household.directory': () => ({
        ok: true,
        data: {
          community: { id: 'c-xingfu', name: '幸福社区', district: '城关区' },
          grids: [{ id: 'g-01', name: '第1网格', buildings: [] }],
        },
      }),
      'volunteer.register': () => ({ ok: true, data: me({ handKg: 10, aid: 'trolley' }) }),
    });
    const page = await loadPage('pages/volunteer/register/index');
    expect(page.instance.data.handKg).toBe('10');
    tapButton(page, '.reg__edit');
    await flush();
    page.instance.setData({ health: ['noSymptoms', 'noRiskContact', 'promise'], handKg: '80' });
    tapButton(page, '.reg__submit');
    await flush();
    expect(page.instance.data.errors.handKg).toBe('徒手能搬的重量应在 1–50 公斤之间');
    expect(calls.some((c) => c.action === 'volunteer.register')).toBe(false);
    page.instance.setData({ handKg: '10', aid: 'trolley' });
    tapButton(page, '.reg__submit');
    await flush();
    expect(calls.find((c) => c.action === 'volunteer.register')?.payload).toMatchObject({
      carry: { handKg: 10, aid: 'trolley' },
    });
  });
});

describe('订单详情: the resident sees the two legs of a gas swap', () => {
  const gasOrder = (collectJobId: string | null) =>
    orderDetail({
      id: 'o1',
      kind: 'gas',
      status: 'accepted',
      lines: [{ itemId: 'gas', name: '液化气换瓶（15kg）', unit: '罐', qty: 1, priceFen: 11000 }],
      gas: { collectEmpty: 'pending', returnFull: 'pending', collectJobId },
    });

  it('says a volunteer is coming for the empty only once one has taken the round', async () => {
    let assigned = false;
    mockCall({
      'order.detail': () => ({ ok: true, data: gasOrder('j1') }),
      'dispatch.courier': () => ({
        ok: true,
        data: assigned
          ? { assigned: true, nameMasked: '索**吉', phoneMasked: '189****6764', phone: '18900006764' }
          : { assigned: false, nameMasked: null, phoneMasked: null, phone: null },
      }),
    });
    let page = await loadPage('pages/resident/order-detail/index', { id: 'o1' });
    expect(textOf(page)).toContain('换气进度');
    expect(textOf(page)).toContain('待安排志愿者上门取空瓶');
    expect(textOf(page)).not.toContain('志愿者将上门取空瓶');
    assigned = true;
    page = await loadPage('pages/resident/order-detail/index', { id: 'o1' });
    expect(textOf(page)).toContain('志愿者将上门取空瓶，请把空瓶放在门口');
    expect(textOf(page)).toContain('索**吉');
  });
});
