import { defineFunction } from '../../lib/define-function';
import { dutyActions } from './duty';
import { hourActions } from './hours';
import { registrationActions } from './registration';
import { reviewActions } from './review';
import { shiftActions } from './shifts';

/** Volunteers (报到, review, teams), shifts, on/off duty, hours, the volunteer card, statistics. */
export const main = defineFunction('volunteer', {
  ...registrationActions,
  ...dutyActions,
  ...hourActions,
  ...reviewActions,
  ...shiftActions,
});
