/**
 * 派单看板 (gridworker): run the automatic dispatch for my grid, see every job with who got it
 * and why (one short line; the reasons on tap), its doors and any shortfall counted, the on-duty
 * volunteers with what each carries, and reassign a job to another of them.
 */
import type { BoardView, DispatchRunView } from '../../../../typings/api';
import type { OrderStatus } from '../../../../typings/entities';
import { call } from '../../../services/api';
import { showError, showLoadError, showSuccess } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';
import { staffGrids, type GridChip } from '../../../utils/grids';
import { ORDER_STATUS_LABELS } from '../../../utils/labels';
import { naturalCompare } from '../../../generated/natural-sort';

/** One job as its card on the board shows it. */
export interface BoardCard {
  id: string;
  title: string;
  status: string;
  statusText: string;
  who: string;
  /** Why this volunteer, in a few words; `details` on tap. */
  reason: string;
  details: string[];
  open: boolean;
  weight: string;
  priority: boolean;
  pickupBy: string;
  shortfall: string;
  stops: Array<{ orderId: string; room: string; statusText: string; warn: string }>;
  canReassign: boolean;
  /** Too many wrong 取货码: the gridworker phones the resident, then unlocks. */
  codeLocked: boolean;
  volunteerId: string | null;
  /** A round collecting empty gas cylinders (换气 leg 1). */
  collect: boolean;
}

/** The order status a door of a job in this state has anyway (not repeated on every door). */
const EXPECTED: Record<string, OrderStatus | null> = {
  open: 'accepted',
  assigned: 'assigned',
  pickedUp: 'pickedUp',
  done: 'delivered',
  released: null,
};

/** Cards of the board, with shortfalls and failures spelled out for the gridworker. */
export function boardCards(jobs: BoardView['jobs'], opened: readonly string[] = []): BoardCard[] {
  return jobs.map((j) => ({
    id: j.id,
    // A collection round has its 收空瓶 tag: the title does not say it again (and fits one line).
    title: j.collect ? j.title.replace(/^收空瓶 · /, '') : j.title,
    status: j.status,
    // Nothing to pick up on a collection round: the volunteer goes to the doors.
    statusText: j.collect && j.status === 'assigned' ? '待上门收瓶' : j.statusText,
    who: j.volunteerName ?? '等志愿者抢单',
    // An unplaced round says why at its door (in red): the grey line does not repeat it.
    reason: j.reasonShort && j.stops.some((st) => st.unplaced?.includes(j.reasonShort)) ? '' : j.reasonShort,
    details: j.reasonDetails,
    open: opened.includes(j.id),
    weight: `约${j.weightKg}公斤`,
    priority: j.priority || j.medicine,
    pickupBy:
      j.status === 'assigned' && j.pickupBy ? `${chinaTime(j.pickupBy)}前${j.collect ? '上门收瓶' : '取货'}` : '',
    shortfall: j.pickupShortfall.length
      ? `取货短缺：${j.pickupShortfall.map((s) => `${s.name}少${s.expected - s.counted}${s.unit}`).join('，')}`
      : '',
    stops: [...j.stops]
      .sort((a, b) => naturalCompare(a.room, b.room))
      .map((s) => ({
        orderId: s.orderId,
        room: s.room,
        // A door says its status only when it differs from the job's (no "已派单" on every line).
        // (A gas order stays 已接单 while its empty is collected: not worth saying on a collection round.)
        statusText:
          s.status === EXPECTED[j.status] || (j.collect && s.status === 'accepted')
            ? ''
            : ORDER_STATUS_LABELS[s.status],
        warn: s.unplaced
          ? `未能自动派出：${s.unplaced}`
          : s.failReason
            ? `未送达：${s.failReason}`
            : s.shortfall.length
              ? `短缺：${s.shortfall.map((x) => `${x.name}少${x.expected - x.counted}${x.unit}`).join('，')}`
              : '',
      })),
    collect: Boolean(j.collect),
    canReassign: j.status === 'open' || j.status === 'assigned',
    codeLocked: j.codeLocked,
    volunteerId: j.volunteerId,
  }));
}

/** An on-duty volunteer as the board lists them: whom the gridworker can give work to. */
export function volunteerRows(volunteers: BoardView['volunteers']) {
  return volunteers.map((v) => ({
    ...v,
    load: v.activeJobs ? `手上 ${v.activeJobs} 趟 · ${v.doors} 户 · ${v.carryingKg}公斤` : '空闲',
    // What they declared; the capacity per trip too when an aid makes it more than by hand.
    capacity: !v.carryText
      ? `能背 ${v.capacityKg}公斤`
      : v.carryText.includes(`${v.capacityKg}公斤`)
        ? v.carryText
        : `${v.carryText}，单趟${v.capacityKg}公斤`,
    free: v.activeJobs === 0,
  }));
}

/** The grid's gas swaps by stage, in one line (empty when there are none). */
export function gasSummary(gas: BoardView['gas']): string {
  if (!gas) return '';
  const parts = [
    gas.toCollect ? `待取空瓶 ${gas.toCollect} 罐` : '',
    gas.collecting ? `取空瓶中 ${gas.collecting} 罐` : '',
    gas.atStation ? `送站充气 ${gas.atStation} 罐` : '',
    gas.toReturn ? `待送满瓶 ${gas.toReturn} 罐` : '',
  ].filter(Boolean);
  return parts.length ? `换气：${parts.join(' · ')}` : '';
}

/** What a run did, in one sentence. */
export function runSummary(run: DispatchRunView): string {
  const parts = [`派出 ${run.jobs.length} 趟`, `${run.assignedOrders} 单已有志愿者`];
  if (run.openOrders) parts.push(`${run.openOrders} 单等人抢单`);
  if (run.skipped) parts.push(`${run.skipped} 单已在别的任务里`);
  return parts.join('，');
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    failed: false,
    running: false,
    gasText: '',
    /** Empties collected and at the station: the gridworker says when the fulls are back. */
    atStation: 0,
    gridId: '',
    gridName: '',
    grids: [] as GridChip[],
    waiting: 0,
    cards: [] as BoardCard[],
    volunteers: [] as ReturnType<typeof volunteerRows>,
    summary: '',
    unassigned: [] as DispatchRunView['unassigned'],
    sheetVisible: false,
    sheetItems: [] as Array<{ label: string }>,
    _job: null as BoardCard | null,
    _board: null as BoardView | null,
    _opened: [] as string[],
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      try {
        const { grids, gridId, gridName } = await staffGrids('dispatch', query.gridId);
        this.setData({ grids, gridId, gridName });
        await this.reload();
      } catch (error) {
        showLoadError(this, error);
      }
    },
    /** The error state's retry. */
    async retry() {
      this.setData({ loading: true, failed: false });
      if (!this.data.gridId) return this.onLoad({});
      try {
        await this.reload();
      } catch (error) {
        showLoadError(this, error);
      }
    },
    /** 满瓶已运回: the collected cylinders' full ones may now be delivered (leg 2). */
    async gasRefilled() {
      try {
        const res = await call('dispatch.gasRefilled', { gridId: this.data.gridId });
        showSuccess(this, `${res.changed} 罐满瓶待送，请一键派单`);
        await this.reload();
      } catch (error) {
        showError(this, error);
      }
    },
    async reload() {
      const board = await call('dispatch.board', { gridId: this.data.gridId });
      this.setData({
        loading: false,
        failed: false,
        gridName: board.gridName,
        gasText: gasSummary(board.gas),
        atStation: board.gas?.atStation ?? 0,
        waiting: board.acceptedWaiting,
        cards: boardCards(board.jobs, this.data._opened),
        volunteers: volunteerRows(board.volunteers),
        _board: board,
      });
    },
    async switchGrid(e: WechatMiniprogram.CustomEvent<{ id: string }>) {
      this.setData({ gridId: e.detail.id, loading: true, summary: '', unassigned: [], _opened: [] });
      try {
        await this.reload();
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    /** Opens or closes the reasons of one job. */
    toggleWhy(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const id = e.currentTarget.dataset.id;
      const opened = this.data._opened.includes(id)
        ? this.data._opened.filter((x) => x !== id)
        : [...this.data._opened, id];
      const i = this.data.cards.findIndex((c) => c.id === id);
      this.setData({ _opened: opened, [`cards[${i}].open`]: opened.includes(id) });
    },
    async run() {
      this.setData({ running: true });
      try {
        const run = await call('dispatch.run', { gridId: this.data.gridId });
        this.setData({ running: false, summary: runSummary(run), unassigned: run.unassigned });
        showSuccess(this, '派单完成');
        await this.reload();
      } catch (error) {
        this.setData({ running: false });
        showError(this, error);
      }
    },
    /** After phoning the resident: the volunteer may try the 取货码 again. */
    async unlockCode(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      try {
        await call('dispatch.unlockCode', { jobId: e.currentTarget.dataset.id });
        showSuccess(this, '已解锁，志愿者可重新输入取货码');
        await this.reload();
      } catch (error) {
        showError(this, error);
      }
    },
    askReassign(e: WechatMiniprogram.BaseEvent<Record<string, never>, { id: string }>) {
      const job = this.data.cards.find((c) => c.id === e.currentTarget.dataset.id) ?? null;
      const others = this.data.volunteers.filter((v) => v.id !== job?.volunteerId);
      if (!job || others.length === 0) {
        showSuccess(this, '暂无其他在岗的配送志愿者');
        return;
      }
      this.setData({
        _job: job,
        sheetVisible: true,
        sheetItems: others.map((v) => ({ label: `${v.name}（${v.load}，${v.capacity}）` })),
      });
    },
    closeSheet() {
      this.setData({ sheetVisible: false });
    },
    async onReassign(e: { detail: { index: number } }) {
      const job = this.data._job;
      const target = this.data.volunteers.filter((v) => v.id !== job?.volunteerId)[e.detail.index];
      this.setData({ sheetVisible: false });
      if (!job || !target) return;
      try {
        await call('dispatch.reassign', { jobId: job.id, volunteerId: target.id, fromVolunteerId: job.volunteerId });
        showSuccess(this, `已改派给${target.name}`);
        await this.reload();
      } catch (error) {
        showError(this, error);
      }
    },
  },
});
