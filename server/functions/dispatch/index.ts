import { defineFunction } from '../../lib/define-function';
import { courierActions } from './courier';
import { gasActions } from './gas';
import { jobActions } from './jobs';
import { listActions } from './lists';
import { planActions } from './plan';
import { poolActions } from './pool';
import { stopActions } from './stops';
import { sweepJobs } from './sweeper';

/** The dispatch: order pool, purchase and packing lists, automatic dispatch, and the life of delivery jobs. */
export const main = defineFunction(
  'dispatch',
  { ...poolActions, ...listActions, ...planActions, ...jobActions, ...stopActions, ...courierActions, ...gasActions },
  { timers: { sweepJobs } },
);
