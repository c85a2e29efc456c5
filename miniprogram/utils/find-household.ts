/**
 * Finding a household in a long grid list by what a gridworker knows: the room (`1-101`, `101`,
 * `2号楼 801`), the head's name, or the last digits of the phone. Ids are never typed or shown.
 */
import type { GridHouseholdView } from '../../typings/api';

/** What the search box of a household list matches for one household. */
export function householdSearchText(
  h: Pick<GridHouseholdView, 'buildingName' | 'room' | 'headName' | 'phoneMasked'>,
): string {
  const digits = (h.phoneMasked ?? '').replace(/\D*\*+\D*/g, ' ');
  return `${h.buildingName} ${h.room} ${h.headName ?? ''} ${digits}`;
}

function squeeze(s: string): string {
  return s.replace(/[\s·]/g, '').toLowerCase();
}

/** Whether every word typed (split by spaces) appears in the household's search text. */
export function matchesHousehold(text: string, words: string): boolean {
  const parts = words.trim().split(/\s+/).filter(Boolean);
  const hay = squeeze(text);
  return parts.every((p) => hay.includes(squeeze(p)));
}

/** The households a list shows for what was typed: all of them when the box is empty. */
export function householdsMatching<T extends { search: string }>(households: T[], words: string): T[] {
  const typed = words.trim();
  return typed ? households.filter((h) => matchesHousehold(h.search, typed)) : households;
}
