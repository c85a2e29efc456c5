/**
 * A gas-cylinder swap (换气) as two legs, pure.
 *
 * How a grid office runs it (Zhegu, 190 households' cylinders in one day: empties left at the
 * doors, collected, taken by pickup truck to the county station, refilled, disinfected and brought
 * back door to door): **two jobs, not one**. The refill takes hours and is done by the truck, not
 * by the volunteer who climbed the stairs, so one volunteer doing both legs with "a refill stop
 * between" would hold a job for half a day and block the hold limit. Instead:
 * - leg 1 `collectEmpty`: the dispatch plans **collection rounds** (jobs with `leg: 'collectEmpty'`)
 *   per building with the same planner and capacities (an empty steel cylinder weighs about as much
 *   as the gas in it). The volunteer marks each door 已取空瓶 (or 空瓶不在门口: the door goes back to
 *   be collected again). The order stays `accepted` meanwhile; its `gas.collectJobId` says which
 *   round has it.
 * - the gridworker marks the fulls back from the station (满瓶已运回): `gas.fullReadyAt`.
 * - leg 2 `returnFull`: the order is then dispatched like any delivery (pickup at the depot, counted,
 *   handed over with the 取货码 or a photo); delivering it marks 已送满瓶. The order is `delivered`
 *   (done) only through leg 2, and leg 2 is only dispatched after leg 1: done means both.
 */
import type { GasSwapView } from '../../typings/api';
import type { GasLeg, GasLegs, GasLegStatus } from '../../typings/entities';
import { GAS_LEG_LABELS } from '../../typings/values';
import type { Machine } from '../state/machine';

/** Who marks a leg. */
export type GasLegActor = 'volunteer' | 'gridworker' | 'system';

/** The one event of a leg: it is done (已取空瓶 / 已送满瓶). */
export type GasLegEvent = 'finish';

/** Each leg's machine: pending → done, once (a retry or a race finds it done and changes nothing). */
export const GAS_LEG_MACHINE: Machine<GasLegStatus, GasLegEvent, GasLegActor> = {
  pending: { finish: { to: 'done', by: ['volunteer', 'system'] } },
  done: {},
};

/** Kilograms of one cylinder handled (a 15 kg LPG cylinder; the empty's steel weighs about the same). */
export const GAS_CYLINDER_KG = 15;

/** Where a gas order is in its swap, for its own order of work. */
export type GasStage = 'toCollect' | 'collecting' | 'atStation' | 'toReturn' | 'returned';

/** The stage of a gas order (`collectJobLive`: its collection job is still open, assigned or on the way). */
export function gasStage(gas: GasLegs, collectJobLive = Boolean(gas.collectJobId)): GasStage {
  if (gas.returnFull === 'done') return 'returned';
  if (gas.collectEmpty === 'pending') return collectJobLive ? 'collecting' : 'toCollect';
  return gas.fullReadyAt ? 'toReturn' : 'atStation';
}

/** Chinese text of each stage, as the gridworker's pool shows it. */
export const GAS_STAGE_TEXT: Record<GasStage, string> = {
  toCollect: '待派人取空瓶',
  collecting: '取空瓶中',
  atStation: '空瓶已取，送站充气中',
  toReturn: '满瓶已运回，待送满瓶',
  returned: '已送满瓶',
};

/** Whether a gas order's leg 2 may be dispatched now. */
export const gasReadyToReturn = (gas: GasLegs | null | undefined): boolean =>
  !gas || (gas.collectEmpty === 'done' && Boolean(gas.fullReadyAt) && gas.returnFull === 'pending');

/** The leg a stop of a job serves, for a gas order: collection rounds collect, others return. */
export const legOfStop = (collectJob: boolean): GasLeg => (collectJob ? 'collectEmpty' : 'returnFull');

/** Field path of a leg on the order document (the conditional update's key). */
export const legField = (leg: GasLeg): string => `gas.${leg}`;

/** A gas order's swap as resident and gridworker see it: both legs, and the stage in words. */
export function gasSwapView(gas: GasLegs, collectJobLive?: boolean): GasSwapView {
  return {
    legs: [
      {
        leg: 'collectEmpty',
        label: GAS_LEG_LABELS.collectEmpty,
        done: gas.collectEmpty === 'done',
        at: gas.collectedAt ?? null,
      },
      {
        leg: 'returnFull',
        label: GAS_LEG_LABELS.returnFull,
        done: gas.returnFull === 'done',
        at: gas.returnedAt ?? null,
      },
    ],
    stageText: GAS_STAGE_TEXT[gasStage(gas, collectJobLive)],
  };
}
