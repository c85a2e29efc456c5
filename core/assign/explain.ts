/** Chinese explanations of the assignment, one per grid, and the uncovered list. */
import { canTake, eligible, type State } from './state';
import type { AssignPlan } from './types';

const ROLE: Record<'gridworker' | 'groupLeader', string> = { gridworker: '网格员', groupLeader: '组长' };

function n(x: number): string {
  return String(Math.round(x));
}

/** Fills plan.reasons and plan.uncovered from the final state. */
export function explain(s: State, plan: AssignPlan): void {
  const avg = plan.averageLoad;
  const partsByGrid = new Map<string, AssignPlan['parts']>();
  for (const p of plan.parts) partsByGrid.set(p.gridId, [...(partsByGrid.get(p.gridId) ?? []), p]);
  const index = new Map(s.workers.map((w, i) => [w.id, i]));

  s.grids.forEach((grid, g) => {
    const parts = partsByGrid.get(grid.id) ?? [];
    const nameOf = new Map(grid.buildings.map((b) => [s.buildings[b]!.id, s.buildings[b]!.name]));
    const missing = grid.buildings.filter((b) => s.owner[b]! < 0);
    const lines: string[] = [];
    const who = (id: string) => {
      const w = s.workers[index.get(id)!]!;
      return `${ROLE[w.role]}${w.name}`;
    };
    const why = (id: string, gi: number) => {
      const w = index.get(id)!;
      const worker = s.workers[w]!;
      const notes: string[] = [];
      const part = parts.find((p) => p.workerId === id)!;
      if (part.pinned) notes.push('管理员固定');
      else if (grid.allowed?.has(w)) notes.push('管理员指定在本网格');
      if (worker.must.has(gi)) notes.push('按要求必须负责');
      if (part.distanceKm !== null) notes.push(`住处离网格约 ${part.distanceKm.toFixed(1)} 公里`);
      const total = plan.byWorker[id]!;
      notes.push(
        `其总负荷 ${n(total.load)}（人均 ${n(avg)}）${total.gridIds.length > 1 ? `，共负责 ${total.gridIds.length} 个网格` : ''}`,
      );
      return notes.join('，');
    };
    const head = `加权负荷 ${n(grid.load)}（特殊需求居民 ${grid.special} 人）`;
    if (parts.length === 1) {
      const p = parts[0]!;
      const whole = missing.length === 0 ? '整个网格' : `${p.buildingIds.length} 栋楼`;
      lines.push(`${head}，由${who(p.workerId)}负责${whole}：${why(p.workerId, g)}。`);
    } else if (parts.length > 1) {
      const split = grid.load > avg ? `大于人均 ${n(avg)}，` : '为均衡各人的负荷和特殊需求居民人数，';
      const each = parts.map(
        (p) =>
          `${who(p.workerId)}负责 ${p.buildingIds.map((id) => nameOf.get(id) ?? id).join('、')}（负荷 ${n(p.load)}，特殊需求 ${p.specialLoad} 人；${why(p.workerId, g)}）`,
      );
      lines.push(`${head}，${split}按整栋楼分给 ${parts.length} 人，同一栋楼只由一人负责：${each.join('；')}。`);
    }
    if (parts.length > 0 && s.gwCount[g] === 0) lines.push('本网格暂无网格员，由组长负责。');
    if (missing.length > 0) {
      const reason = uncoveredReason(s, g, missing.length);
      plan.uncovered.push({ gridId: grid.id, buildingIds: missing.map((b) => s.buildings[b]!.id), reason });
      lines.push(reason);
    }
    plan.reasons[grid.id] = lines.join('');
  });
}

function uncoveredReason(s: State, g: number, count: number): string {
  const anyone = s.workers.some((_, w) => eligible(s, w, g));
  if (!anyone) return `有 ${count} 栋楼无人可负责：所有人员都被排除在本网格之外或已离岗。`;
  const scoped = s.workers.some((_, w) => canTake(s, w, g));
  if (!scoped) return `有 ${count} 栋楼无人可负责：能负责的人员都已达到其限定的网格数。`;
  return `有 ${count} 栋楼无人可负责：可负责的人员容量已满，请增加人员或提高容量。`;
}
