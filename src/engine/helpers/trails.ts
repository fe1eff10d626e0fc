// Trail helpers over the normalized event selectors.
import { CannotJudge } from './cannot-judge.js';
import type { EventSelectors } from '../../inventory/schema.js';

/** Read and write management events from every source: nothing excluded, nothing narrowed. */
export function recordsAllManagementEvents(selectors: EventSelectors | null): boolean {
  if (!selectors) throw new CannotJudge('event selectors were not collected');
  const m = selectors.management;
  return m.read && m.write && m.excludedSources.length === 0 && m.onlySources === null;
}

/** Read or write management events, from at least some sources. */
export function recordsManagementEvents(selectors: EventSelectors | null): boolean {
  if (!selectors) throw new CannotJudge('event selectors were not collected');
  return selectors.management.read || selectors.management.write;
}
