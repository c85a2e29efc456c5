/**
 * 网格员分配: a balanced plan of who looks after which grid (weighted households, special-needs
 * residents weigh more; whole buildings; nearby workers preferred), with each grid's reason and
 * the balance; the admin pins some parts, re-runs for the rest, and applies it.
 */
import type { AssignPinInput, AssignPlanView } from '../../../../typings/api';
import { call } from '../../../services/api';
import { showError, showSuccess } from '../../../utils/feedback';
import { ROLE_LABELS } from '../../../utils/labels';
import { naturalCompare } from '../../../generated/natural-sort';

function pinKey(p: Pick<AssignPinInput, 'gridId' | 'workerId'>): string {
  return `${p.gridId}|${p.workerId}`;
}

/** The solver's words in a community worker's: 工作量 (households, special needs counting more), not 负荷. */
export function plainWords(text: string): string {
  return text
    .replace(/加权负荷/g, '工作量')
    .replace(/总负荷/g, '总工作量')
    .replace(/负荷/g, '工作量')
    .replace(/人均/g, '平均每人');
}

function toView(plan: AssignPlanView, pins: readonly AssignPinInput[]) {
  const pinned = new Set(pins.map(pinKey));
  const spread = plan.maxLoad - plan.minLoad;
  return {
    balanceText:
      plan.loadMaxMin === null
        ? `有人还没分到网格；最忙的人约 ${plan.maxLoad} 户`
        : `最忙的人约 ${plan.maxLoad} 户，最闲的人约 ${plan.minLoad} 户（相差 ${spread} 户）`,
    averageText: `平均每人约 ${Math.round(plan.averageLoad)} 户（有特殊人群的户多算一些）`,
    specialText: '',
    warnings: plan.warnings.map(plainWords),
    uncovered: plan.uncovered.map((u) => `${u.gridName} ${u.buildingNames.join('、')}：${plainWords(u.reason)}`),
    grids: [...plan.grids]
      .sort((a, b) => naturalCompare(a.gridName, b.gridName))
      .map((g) => ({
        gridId: g.gridId,
        gridName: g.gridName,
        sizeText: `${g.households} 户 · 特殊人群 ${g.specialNeeds} 人`,
        reason: plainWords(g.reason),
        workers: g.workers.map((w) => ({
          ...w,
          key: pinKey({ gridId: g.gridId, workerId: w.workerId }),
          pinnedNow: pinned.has(pinKey({ gridId: g.gridId, workerId: w.workerId })),
          text: `${w.name}（${ROLE_LABELS[w.role]}${w.lead ? '，负责人' : ''}）`,
          detail: `约 ${w.load} 户 · ${w.buildingNames.join('、')}`,
        })),
      })),
    workers: [...plan.workers]
      .sort((a, b) => naturalCompare(a.name, b.name))
      .map((w) => ({
        ...w,
        text: `${w.name}（${ROLE_LABELS[w.role]}）`,
        detail: `约 ${w.load} 户${w.capacity === null ? '' : `，最多 ${w.capacity} 户`} · ${w.gridIds.length} 个网格`,
      })),
  };
}

Component({
  options: { pureDataPattern: /^_/ },
  data: {
    running: false,
    applying: false,
    view: null as ReturnType<typeof toView> | null,
    pinCount: 0,
    /** Grids whose reasons are open. */
    opened: [] as boolean[],
    _plan: null as AssignPlanView | null,
    _pins: [] as AssignPinInput[],
  },
  methods: {
    onLoad() {
      return this.run();
    },
    /** Plans (again), keeping the pinned parts. */
    async run() {
      this.setData({ running: true });
      try {
        const plan = await call('org.planAssignment', { pins: this.data._pins });
        this.setData({ running: false, _plan: plan, view: toView(plan, this.data._pins) });
      } catch (error) {
        this.setData({ running: false });
        showError(this, error);
      }
    },
    toggleWhy(e: WechatMiniprogram.BaseEvent<Record<string, never>, { index: number }>) {
      const i = e.currentTarget.dataset.index;
      this.setData({ [`opened[${i}]`]: !this.data.opened[i] });
    },
    /** Pins (or unpins) one worker's part of a grid: its buildings stay with them on re-runs. */
    togglePin(e: WechatMiniprogram.BaseEvent<Record<string, never>, { grid: string; worker: string }>) {
      const { grid, worker } = e.currentTarget.dataset;
      const plan = this.data._plan;
      const part = plan?.grids.find((g) => g.gridId === grid)?.workers.find((w) => w.workerId === worker);
      if (!plan || !part) return;
      const key = pinKey({ gridId: grid, workerId: worker });
      const pins = this.data._pins.some((p) => pinKey(p) === key)
        ? this.data._pins.filter((p) => pinKey(p) !== key)
        : [...this.data._pins, { gridId: grid, workerId: worker, buildingIds: part.buildingIds }];
      this.setData({ _pins: pins, pinCount: pins.length, view: toView(plan, pins) });
    },
    async apply() {
      const plan = this.data._plan;
      if (!plan) return;
      this.setData({ applying: true });
      try {
        const parts = plan.grids.flatMap((g) =>
          g.workers.map((w) => ({ gridId: g.gridId, workerId: w.workerId, buildingIds: w.buildingIds })),
        );
        const res = await call('org.applyAssignment', { basis: plan.basis, parts });
        this.setData({ applying: false });
        showSuccess(this, res.changed ? `已应用到 ${res.grids} 个网格` : '与现有分配相同，无需更改');
        await this.run();
      } catch (error) {
        this.setData({ applying: false });
        showError(this, error);
      }
    },
  },
});
