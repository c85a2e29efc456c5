/**
 * Reading and arranging a community's shop (catalogue, stock counters, rounds) and a household's
 * quota in function tests, straight through the database (issue 16's document shapes).
 */
import type { HouseholdDoc, ShopDoc, ShopItem } from '../../typings/entities';
import type { TestCloud } from './cloud';

/** The demo seed's community. */
export const DEMO_COMMUNITY = 'c-xingfu';

/** The shop document of a community. */
export async function shopDoc(t: TestCloud, communityId = DEMO_COMMUNITY): Promise<ShopDoc> {
  const doc = (await t.db.collection('shops').doc(communityId).get()).data[0] as ShopDoc | undefined;
  if (!doc) throw new Error(`no shop for ${communityId}`);
  return doc;
}

/** An item of the shop (with its stock). */
export async function shopItem(t: TestCloud, itemId: string, communityId = DEMO_COMMUNITY): Promise<ShopItem> {
  const item = (await shopDoc(t, communityId)).items[itemId];
  if (!item) throw new Error(`no item ${itemId}`);
  return item;
}

/** An item's stock now. */
export const stockOf = async (t: TestCloud, itemId: string, communityId = DEMO_COMMUNITY) =>
  (await shopItem(t, itemId, communityId)).stock;

/** Sets an item's stock (a stocktake, outside any function). */
export async function setStock(t: TestCloud, itemId: string, stock: number, communityId = DEMO_COMMUNITY) {
  await t.db
    .collection('shops')
    .doc(communityId)
    .update({ [`items.${itemId}.stock`]: stock });
}

/** Moves a round's cutoff, in the rounds collection and in the shop that placement reads. */
export async function setRoundClosesAt(
  t: TestCloud,
  roundId: string,
  closesAt: string,
  communityId = DEMO_COMMUNITY,
): Promise<void> {
  await t.db.collection('rounds').doc(roundId).update({ closesAt });
  const shop = await shopDoc(t, communityId);
  await t.db
    .collection('shops')
    .doc(communityId)
    .update({ rounds: t.db.command.set(shop.rounds.map((r) => (r.id === roundId ? { ...r, closesAt } : r))) });
}

/** What a household has used of its quota of a round (nothing when its ordering is of another round). */
export async function quotaUsed(
  t: TestCloud,
  householdId: string,
  roundId = 'round-001',
): Promise<Record<string, number>> {
  const h = (await t.db.collection('households').doc(householdId).get()).data[0] as HouseholdDoc | undefined;
  return h?.ordering?.roundId === roundId ? h.ordering.used : {};
}

/**
 * What a placement cut short after taking stock and quota leaves behind (no order yet): the
 * shop's stock taken with the placement's marker, and the household's quota with its journal.
 */
export async function crashedPlacement(
  t: TestCloud,
  p: { orderId: string; householdId: string; lines: Record<string, number>; at: string; roundId?: string },
  communityId = DEMO_COMMUNITY,
): Promise<void> {
  const _ = t.db.command;
  const roundId = p.roundId ?? 'round-001';
  const nonce = `crash-${p.orderId}`;
  await t.db
    .collection('shops')
    .doc(communityId)
    .update({
      ...Object.fromEntries(Object.entries(p.lines).map(([id, q]) => [`items.${id}.stock`, _.inc(-q)])),
      [`placing.${p.orderId}`]: { at: p.at, householdId: p.householdId, nonce, lines: p.lines },
    });
  const h = (await t.db.collection('households').doc(p.householdId).get()).data[0] as HouseholdDoc;
  const placing = { orderId: p.orderId, nonce, at: p.at };
  if (h.ordering?.roundId === roundId)
    await t.db
      .collection('households')
      .doc(p.householdId)
      .update({
        ...Object.fromEntries(Object.entries(p.lines).map(([id, q]) => [`ordering.used.${id}`, _.inc(q)])),
        'ordering.placing': placing,
      });
  else
    await t.db
      .collection('households')
      .doc(p.householdId)
      .update({ ordering: _.set({ roundId, used: p.lines, code: '0000', placing }) });
}
