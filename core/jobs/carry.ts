/**
 * What a volunteer can carry (issue 12): declared on registering as kilograms by hand and an aid
 * (小推车, 电动车, 汽车), turned into the one capacity per trip the planner already uses.
 */
import { CARRY_AID_LABELS } from '../../typings/values';
import type { CarryAid, JobStop, VolunteerCarry } from '../../typings/entities';

/** Hand carrying the form accepts, kg. */
export const HAND_KG_MIN = 1;
export const HAND_KG_MAX = 50;

/**
 * A trip's load with each aid, kg: a hand trolley takes three cylinders to the stairwell and up a
 * ramp or lift; an e-bike's rack the same; a car (or 皮卡) a whole stairwell's. Never less than by hand.
 */
const AID_KG: Record<CarryAid, number> = { none: 0, trolley: 45, ebike: 45, car: 100 };

/** Kilograms a volunteer carries in one trip, from what they declared. */
export function carryCapacityKg(carry: VolunteerCarry): number {
  return Math.max(carry.handKg, AID_KG[carry.aid]);
}

/** What a volunteer declared, in words (`徒手10公斤` / `徒手10公斤，有小推车`). */
export function carryText(carry: VolunteerCarry | null | undefined, capacityKg: number): string {
  if (!carry) return `单趟${capacityKg}公斤`;
  return carry.aid === 'none' ? `徒手${carry.handKg}公斤` : `徒手${carry.handKg}公斤，有${CARRY_AID_LABELS[carry.aid]}`;
}

/** What a stop is, for a person: `15公斤煤气罐`, `2罐煤气（共30公斤）`, `一单12公斤的物资`. */
export function stopLabel(stop: Pick<JobStop, 'weightKg' | 'gasLeg' | 'lines'>): string {
  if (stop.gasLeg) {
    const n = stop.lines.reduce((k, l) => k + l.qty, 0) || 1;
    const what = stop.gasLeg === 'collectEmpty' ? '空煤气罐' : '煤气罐';
    return n === 1
      ? `${stop.weightKg}公斤${what}`
      : `${n}罐${what.replace('煤气罐', '煤气')}（共${stop.weightKg}公斤）`;
  }
  return `一单${stop.weightKg}公斤的物资`;
}

/**
 * Why this volunteer may not be given these stops, or null. The heaviest single order must be
 * within what they carry in one trip (an order is not split); so must the whole trip when staff
 * assign it (`wholeTrip`; a volunteer grabbing a trip may make two rounds from the depot).
 */
export function carryRefusal(
  who: string,
  v: { capacityKg: number; carry?: VolunteerCarry | null },
  stops: ReadonlyArray<Pick<JobStop, 'weightKg' | 'gasLeg' | 'lines'>>,
  wholeTrip = true,
): string | null {
  const heaviest = [...stops].sort((a, b) => b.weightKg - a.weightKg)[0];
  const can = carryText(v.carry, v.capacityKg);
  if (heaviest && heaviest.weightKg > v.capacityKg)
    return `${who}登记的搬运能力是${can}，搬不动${stopLabel(heaviest)}，请指派有推车或车辆的志愿者`;
  const total = Math.round(stops.reduce((kg, s) => kg + s.weightKg, 0) * 10) / 10;
  if (wholeTrip && total > v.capacityKg)
    return `这趟共${total}公斤，超过${who}单趟能搬的${v.capacityKg}公斤（${can}），请指派能搬得动的志愿者`;
  return null;
}
