// The fastest any scan of the same calls could finish, given the endpoint's latency and the
// scanner's concurrency limits (docs/performance.md, "Scan benchmark", explains the model).
import { PAGE_SIZE, type SyntheticOrg } from './synthetic-org.js';

export interface LowerBoundInput {
  latencyMs: number;
  globalConcurrency: number;
  perAccountConcurrency: number;
  /** The endpoint's per-account request rate; 0 = unlimited. */
  accountRps: number;
  /** Logical API calls per acting account (retries excluded), as the scan counted them. */
  callsByAccount: ReadonlyMap<string, number>;
  /** Calls that must happen one after another, each waiting for the previous answer. */
  criticalPathCalls: number;
}

export interface LowerBound {
  seconds: number;
  binding: 'global-concurrency' | 'account-concurrency' | 'account-rate' | 'critical-path';
  terms: { globalConcurrency: number; accountConcurrency: number; accountRate: number; criticalPath: number };
}

export function lowerBound(input: LowerBoundInput): LowerBound {
  const latency = input.latencyMs / 1000;
  let total = 0;
  let busiest = 0;
  for (const calls of input.callsByAccount.values()) {
    total += calls;
    busiest = Math.max(busiest, calls);
  }
  const terms = {
    // Every call holds one of the global slots for at least one latency.
    globalConcurrency: (total * latency) / input.globalConcurrency,
    // The busiest account's calls share its per-account slots.
    accountConcurrency: (busiest * latency) / input.perAccountConcurrency,
    // An account cannot be answered faster than the endpoint's rate limit lets it.
    accountRate: input.accountRps > 0 ? busiest / input.accountRps : 0,
    criticalPath: input.criticalPathCalls * latency,
  };
  const order: [LowerBound['binding'], number][] = [
    ['global-concurrency', terms.globalConcurrency],
    ['account-concurrency', terms.accountConcurrency],
    ['account-rate', terms.accountRate],
    ['critical-path', terms.criticalPath],
  ];
  const [binding, seconds] = order.reduce((a, b) => (b[1] > a[1] ? b : a));
  return { seconds, binding, terms };
}

/**
 * The longest chain of calls where each needs the previous one's answer: who am I, the
 * organization, every page of ListAccounts (the last account is known only after the last
 * page), then for that account AssumeRole, DescribeRegions, DescribeTrails, one round of trail
 * reads (status, selectors, insights, tags in parallel), and the deepest linked resource:
 * a log group (DescribeLogGroups, DescribeMetricFilters, DescribeAlarms) whose alarms name a
 * topic (GetTopicAttributes), else a bucket (GetBucketLocation, then its getters in parallel).
 * The OU tree and the SCPs are read beside that chain and are never longer for this org.
 */
export function criticalPathCalls(org: SyntheticOrg): number {
  const discovery = 2 + Math.ceil(org.accounts.length / PAGE_SIZE);
  const perAccount = 3;
  const trailRead = 1;
  const linked = org.logGroups.size > 0 ? 4 : 2;
  return discovery + perAccount + trailRead + linked;
}
