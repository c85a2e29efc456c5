import type { OrderStatus } from '../../typings/entities';

/** Chinese text of every order status, shown on the resident's timeline. */
export const ORDER_STATUS_TEXT: Record<OrderStatus | 'placing', string> = {
  placing: '提交中',
  submitted: '已提交，等待网格员接单',
  accepted: '网格员已接单',
  rejected: '未受理',
  assigned: '已安排志愿者配送',
  pickedUp: '志愿者已取货，正在配送',
  delivered: '已送达',
  failed: '配送未成功，将重新安排',
  cancelled: '已取消',
  received: '已签收',
};
