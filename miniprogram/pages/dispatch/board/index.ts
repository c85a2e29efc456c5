/**
 * 派单看板 (gridworker): run the automatic dispatch for my grid, see every job with who got it
 * and why, its doors and any shortfall counted, and reassign a job to another on-duty volunteer.
 */
import type { BoardView, DispatchRunView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { chinaTime } from '../../../utils/format';

/** One job as its card on the board shows it. */
export interface BoardCard {
  id: string;
  title: string;
  status: string;
  statusText: string;
  who: string;
  reason: string;
  weight: string;
  priority: boolean;
  pickupBy: string;
  shortfall: string;
  stops: Array<{ orderId: string; room: string; statusText: string; warn: string }>;
  canReassign: boolean;
  /** Too many wrong 取货码: the gridworker phones the resident, then unlocks. */
  codeLocked: boolean;
  volunteerId: string | null;
}

/** Cards of the board, with shortfalls and failures spelled out for the gridworker. */
export function boardCards(jobs: BoardView['jobs']): BoardCard[] {
  return jobs.map((j) => ({
    id: j.id,
    title: j.title,
    status: j.status,
    statusText: j.statusText,
    who: j.volunteerName ?? '待志愿者接单',
    reason: j.reason,
    weight: `约${j.weightKg}kg`,
    priority: j.priority || j.medicine,
    pickupBy: j.status === 'assigned' && j.pickupBy ? `${chinaTime(j.pickupBy)} 前取货` : '',
    shortfall: j.pickupShortfall.length
      ? `取货短缺：${j.pickupShortfall.map((s) => `${s.name}少${s.expected - s.counted}${s.unit}`).join('，')}`
      : '',
    stops: j.stops.map((s) => ({
      orderId: s.orderId,
      room: s.room,
      statusText: s.statusText,
      warn: s.failReason
        ? `未送达：${s.failReason}`
        : s.shortfall.length
          ? `短缺：${s.shortfall.map((x) => `${x.name}少${x.expected - x.counted}${x.unit}`).join('，')}`
          : '',
    })),
    canReassign: j.status === 'open' || j.status === 'assigned',
    codeLocked: j.codeLocked,
    volunteerId: j.volunteerId,
  }));
}

/** What a run did, in one sentence. */
export function runSummary(run: DispatchRunView): string {
  const parts = [`生成 ${run.jobs.length} 个任务`, `派给志愿者 ${run.assignedOrders} 单`];
  if (run.openOrders) parts.push(`${run.openOrders} 单等待抢单`);
  if (run.skipped) parts.push(`${run.skipped} 单已在其他任务中`);
  return parts.join('，');
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    loading: true,
    running: false,
    gridId: '',
    gridName: '',
    waiting: 0,
    cards: [] as BoardCard[],
    volunteers: [] as BoardView['volunteers'],
    summary: '',
    unassigned: [] as DispatchRunView['unassigned'],
    sheetVisible: false,
    sheetItems: [] as Array<{ label: string }>,
    _job: null as BoardCard | null,
  },
  methods: {
    async onLoad(query: Record<string, string | undefined>) {
      try {
        const gridId = query.gridId || (await call('user.me', {})).adminGridIds[0] || '';
        this.setData({ gridId });
        await this.reload();
      } catch (error) {
        this.setData({ loading: false });
        showError(this, error);
      }
    },
    async reload() {
      const board = await call('dispatch.board', { gridId: this.data.gridId });
      this.setData({
        loading: false,
        gridName: board.gridName,
        waiting: board.acceptedWaiting,
        cards: boardCards(board.jobs),
        volunteers: board.volunteers,
      });
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
        sheetItems: others.map((v) => ({ label: `${v.name}（${v.capacityKg}kg，手上 ${v.activeJobs} 单）` })),
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
