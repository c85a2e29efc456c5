import { defineFunction } from '../../lib/define-function';
import { followActions } from './follow';
import { manageActions } from './manage';
import { placeActions } from './place';
import { payActions } from './pay';
import { roundActions } from './rounds';
import { autoConfirm, everyMinute, payments, sendMessages, sweepPlacing } from './timers';

export { sweepPlacing } from './timers';

/** Ordering: the catalogue of the round, placing (idempotent, atomic on stock and quota), following, cancelling, confirming. */
export const main = defineFunction(
  'order',
  { ...placeActions, ...followActions, ...manageActions, ...roundActions, ...payActions },
  {
    timers: {
      /** The deployed trigger (one per function): the three below, every minute. */
      everyMinute,
      // Each part by name too, for an operator's one-off run and the tests.
      /** Undoes placements a crash cut off (quota and stock go back; the order never existed). */
      sweepPlacing,
      /** Confirms receipt of orders delivered a day ago that nobody confirmed. */
      autoConfirm,
      /** Sends queued subscribe messages. */
      sendMessages,
      /** WeChat Pay (issue 19): cancels unpaid orders past expiry, retries and confirms refunds. */
      payments,
    },
  },
);
