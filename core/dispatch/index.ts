/** Automatic dispatch (issue 4): the pure planner, its time model and its shapes. */
export { planDispatch } from './planner';
export { dispatchParams, tripTiming, tripTimeS, tripTimeFromFloors, type TripTiming } from './time-model';
export {
  DEFAULT_DISPATCH_PARAMS,
  type DispatchBuilding,
  type DispatchInput,
  type DispatchOrder,
  type DispatchParams,
  type DispatchPlan,
  type DispatchVolunteer,
  type OrderAssignment,
  type Trip,
} from './types';
