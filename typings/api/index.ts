/** The contract by domain (typings/api.ts joins the action maps). */
export type * from './common';
export type * from './household';
export type * from './grid';
export type * from './order';
export type * from './testing';
export type * from './volunteer';
export type * from './org';
export type * from './dispatch';
export type * from './privacy';
export type * from './payment';
