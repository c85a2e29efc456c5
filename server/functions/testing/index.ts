import { defineFunction } from '../../lib/define-function';
import { assistActions } from './assist';
import { bookingActions } from './bookings';
import { coverageActions } from './coverage';
import { ledgerActions } from './ledger';
import { doorActions } from './doors';
import { roundActions } from './rounds';
import { resultActions } from './results';
import { sampleActions } from './samples';

/** 核酸已采样卡: testing rounds, recording samples, signed cards, verification and coverage. */
export const main = defineFunction('testing', {
  ...roundActions,
  ...sampleActions,
  ...coverageActions,
  ...doorActions,
  ...resultActions,
  ...bookingActions,
  ...ledgerActions,
  ...assistActions,
});
