/**
 * The access log (PIPL): which views show residents' whole phone numbers or addresses (building
 * and room) to someone other than themselves. Each request to one of them writes one entry
 * (server/lib/access-log.ts); masked views write none. Entries are kept for the retention period.
 */
import type { AccessField } from '../../typings/entities';

/** Every logged view: what it is called on the admin's page and what it shows whole. */
export const LOGGED_VIEWS = {
  'dispatch.job': { text: '配送任务详情', shown: ['phone', 'address'] },
  'dispatch.pool': { text: '订单池', shown: ['address'] },
  'dispatch.packingList': { text: '分楼栋配送单', shown: ['address'] },
  'dispatch.exportLists': { text: '导出配送单', shown: ['address'] },
  'grid.households': { text: '本网格住户', shown: ['address'] },
  'grid.joinRequests': { text: '入群审核', shown: ['address'] },
  'testing.coverage': { text: '未检名单', shown: ['address'] },
  'testing.exportCoverage': { text: '导出未检名单', shown: ['address'] },
  'volunteer.contact': { text: '志愿者电话', shown: ['phone'] },
} as const satisfies Record<string, { text: string; shown: readonly AccessField[] }>;

/** A logged view's name. */
export type LoggedView = keyof typeof LOGGED_VIEWS;

/** A view's words for the admin (an unknown one by its name). */
export function viewText(view: string): string {
  return Object.hasOwn(LOGGED_VIEWS, view) ? LOGGED_VIEWS[view as LoggedView].text : view;
}

/** What the admin page says was shown: 电话、住址. */
export function shownText(shown: readonly AccessField[]): string {
  return shown.map((f) => (f === 'phone' ? '电话' : '住址')).join('、');
}
