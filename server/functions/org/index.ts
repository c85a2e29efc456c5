/**
 * The organisation side (定人定岗定责): the community's structure and its spreadsheet import,
 * roles by invitation code or by the admin, the gridworker assignment, the community dashboard.
 */
import { defineFunction } from '../../lib/define-function';
import { assignActions } from './assign';
import { codeActions } from './codes';
import { emergencyActions } from './emergency';
import { importActions } from './import';
import { outboxActions } from './outbox';
import { purgeTick } from './purge';
import { roleActions } from './roles';
import { settlementActions } from './settlement';
import { structureActions } from './structure';

/** Organisation: structure, import, roles and codes, gridworker assignment, community dashboard, the end of the emergency. */
export const main = defineFunction(
  'org',
  {
    ...structureActions,
    ...importActions,
    ...roleActions,
    ...codeActions,
    ...assignActions,
    ...emergencyActions,
    ...outboxActions,
    ...settlementActions,
  },
  {
    // The one trigger of org: after the emergency is declared over and the retention period has
    // passed, deletes health and special-needs data (core/privacy/purge.ts); expires the access log.
    timers: { purge: (ctx) => purgeTick(ctx) },
  },
);
