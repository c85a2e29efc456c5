import type { PlaceOrderInput } from '../../typings/api';
import type { CatalogItem, MedicineRequest, OrderLine, PaymentMode, RoundDoc } from '../../typings/entities';
import { AppError } from '../errors';

/** What an order will take from stock and from the household's quota. */
export interface OrderPlan {
  lines: OrderLine[];
  totalFen: number;
  payment: PaymentMode;
  medicine: MedicineRequest | null;
}

/** Whether a round takes orders at this instant. */
export function roundIsOpen(round: Pick<RoundDoc, 'opensAt' | 'closesAt'>, now: Date): boolean {
  const t = now.getTime();
  return Date.parse(round.opensAt) <= t && t < Date.parse(round.closesAt);
}

function lineFor(item: CatalogItem, qty: number): OrderLine {
  const line: OrderLine = { itemId: item._id, name: item.name, unit: item.unit, qty, priceFen: item.priceFen };
  // The item's real weight travels with the line, so trips are planned by what was ordered.
  if (typeof item.kgPerUnit === 'number' && item.kgPerUnit > 0) line.kgPerUnit = item.kgPerUnit;
  return line;
}

function requireItem(items: ReadonlyMap<string, CatalogItem>, id: string): CatalogItem {
  const item = items.get(id);
  if (!item || !item.active) throw new AppError('ORDER.ITEM_UNAVAILABLE', `商品已下架或不存在：${id}`);
  return item;
}

/**
 * Turns a request into priced lines, checking kinds, quantities against per-household limits
 * and the payment mode. Stock is not checked here: it is
 * taken atomically when the order is placed.
 */
export function planOrder(input: PlaceOrderInput, catalogue: readonly CatalogItem[]): OrderPlan {
  const items = new Map(catalogue.map((i) => [i._id, i]));
  let lines: OrderLine[] = [];
  let medicine: MedicineRequest | null = null;

  switch (input.kind) {
    case 'grocery': {
      const wanted = new Map<string, number>();
      for (const l of input.lines ?? []) wanted.set(l.itemId, (wanted.get(l.itemId) ?? 0) + l.qty);
      if (wanted.size === 0) throw new AppError('COMMON.INVALID_INPUT', '请至少选择一件商品');
      lines = [...wanted].map(([id, qty]) => {
        const item = requireItem(items, id);
        if (item.category === 'loveBag' || item.category === 'gas') {
          throw new AppError('COMMON.INVALID_INPUT', `「${item.name}」请从对应入口下单`);
        }
        return lineFor(item, qty);
      });
      break;
    }
    case 'loveBag': {
      const bag = catalogue.find((i) => i.category === 'loveBag' && i.active);
      if (!bag) throw new AppError('ORDER.ITEM_UNAVAILABLE', '本批次没有爱心菜包');
      lines = [lineFor(bag, 1)];
      break;
    }
    case 'gas': {
      const gas = catalogue.find((i) => i.category === 'gas' && i.active);
      if (!gas) throw new AppError('ORDER.ITEM_UNAVAILABLE', '暂不提供液化气换瓶');
      lines = [lineFor(gas, input.gasCylinders ?? 1)];
      break;
    }
    case 'medicine': {
      if (!input.medicine) throw new AppError('COMMON.INVALID_INPUT', '请填写需要的药品');
      medicine = {
        description: input.medicine.description.trim(),
        urgency: input.medicine.urgency,
        prescriptionFileId: input.medicine.prescriptionFileId ?? null,
      };
      break;
    }
    default: {
      const unknown: never = input.kind;
      throw new AppError('COMMON.INVALID_INPUT', `不支持的订单类型：${String(unknown)}`);
    }
  }

  for (const line of lines) {
    const item = requireItem(items, line.itemId);
    // One order over the household's limit is refused here; what earlier orders used is taken
    // atomically from the household's quota when the order is placed.
    if (line.qty > item.perHouseholdLimit) {
      throw new AppError('ORDER.QUOTA_EXCEEDED', `「${item.name}」每户限购 ${item.perHouseholdLimit}${item.unit}`);
    }
  }

  const totalFen = lines.reduce((sum, l) => sum + l.qty * l.priceFen, 0);
  let payment = input.payment;
  if (totalFen === 0 && input.kind !== 'medicine') payment = 'free';
  if (totalFen > 0 && payment === 'free')
    throw new AppError('COMMON.INVALID_INPUT', '请选择付款方式：微信支付、货到付现金或转账');
  // WeChat Pay charges a known amount: a medicine order's price is known only once bought (issue 19).
  if (payment === 'wechatPay' && totalFen <= 0)
    throw new AppError('COMMON.INVALID_INPUT', '买药订单的金额要买到后才知道，请选择货到付现金或转账');
  return { lines, totalFen, payment, medicine };
}
