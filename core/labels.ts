/** Labels of the shared enumerations, under the names the core has always used (one source: typings/values.ts). */
export { KNOCK_LABELS as KNOCK_TEXT, NEED_LABELS as NEED_TEXT } from '../typings/values';
