import { defineFunction } from '../../lib/define-function';
import { careActions } from './care';
import { chatActions } from './chat';
import { groupActions } from './groups';
import { inviteActions } from './invites';
import { membershipActions } from './membership';
import { overviewActions } from './overview';

/** Grids: the resident's grid page, and what gridworkers do to run their grid's membership. */
export const main = defineFunction('grid', {
  ...overviewActions,
  ...membershipActions,
  ...groupActions,
  ...inviteActions,
  ...careActions,
  ...chatActions,
});
