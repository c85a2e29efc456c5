import { ORDER_STATUS_TEXT as STATUS_TEXT, type OrderStatus } from '../../typings/values';

/** A stored status: an order is `placing` while its stock and quota are being held. */
export type StoredOrderStatus = OrderStatus | 'placing';

/**
 * The one rule for showing a stored status: a placement in progress reads as submitted (its
 * resident tapped 下单; the half-written state is the server's business).
 */
export function shownStatus(status: StoredOrderStatus): OrderStatus {
  return status === 'placing' ? 'submitted' : status;
}

/** Chinese text of every order status, shown on the resident's timeline. */
export const ORDER_STATUS_TEXT: Record<StoredOrderStatus, string> = { placing: '提交中', ...STATUS_TEXT };
