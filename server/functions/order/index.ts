import { defineFunction } from '../../lib/define-function';
import { followActions } from './follow';
import { manageActions } from './manage';
import { placeActions } from './place';
import { autoConfirm, sendMessages, sweepPlacing } from './timers';

export { sweepPlacing } from './timers';

/** Ordering: the catalogue of the round, placing (idempotent, atomic on stock and quota), following, cancelling, confirming. */
export const main = defineFunction(
  'order',
  { ...placeActions, ...followActions, ...manageActions },
  {
    timers: {
      /** Undoes placements a crash cut off (quota and stock go back; the order never existed). */
      sweepPlacing,
      /** Confirms receipt of orders delivered a day ago that nobody confirmed. */
      autoConfirm,
      /** Sends queued subscribe messages. */
      sendMessages,
    },
  },
);
