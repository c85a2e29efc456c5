/**
 * The organisation side (定人定岗定责): the community's structure and its spreadsheet import,
 * roles by invitation code or by the admin, the gridworker assignment, the community dashboard.
 */
import { defineFunction } from '../../lib/define-function';
import { assignActions } from './assign';
import { codeActions } from './codes';
import { importActions } from './import';
import { roleActions } from './roles';
import { structureActions } from './structure';

/** Organisation: structure, import, roles and codes, gridworker assignment, community dashboard. */
export const main = defineFunction('org', {
  ...structureActions,
  ...importActions,
  ...roleActions,
  ...codeActions,
  ...assignActions,
});
