// The framework view of a report: per framework, each control of its control list
// (frameworks/<id>.yaml) with its title, the rules that judge it, a status and the findings
// counted per account. Derived from report.json's findings, the evaluated rules and the control
// lists; pure. The compliance CSVs and the HTML framework view read it.
import { STATUSES, type Status } from '../findings/finding.js';
import { frameworkCatalogue, type FrameworkControls } from './frameworks.js';
import { evaluatedReport, type AnyReport } from './report.js';

/**
 * A control's status: any FAIL -> FAIL, else any ERROR -> ERROR, else any PASS -> PASS. Its rules
 * ran but none applied -> NOT_APPLICABLE; they produced no finding (for an account: the resources
 * they judge live in another account) -> NO_FINDINGS; no evaluated rule maps to it -> NOT_COVERED.
 * A waived FAIL stays FAIL, as in the posture score.
 */
export const CONTROL_STATUSES = ['FAIL', 'ERROR', 'PASS', 'NOT_APPLICABLE', 'NO_FINDINGS', 'NOT_COVERED'] as const;
export type ControlStatus = (typeof CONTROL_STATUSES)[number];

export type StatusCounts = Record<Status, number>;

export interface ControlAccountView {
  accountId: string;
  accountName: string;
  status: ControlStatus;
  counts: StatusCounts;
}

export interface ControlView {
  id: string;
  /** null for a control a rule maps to that the framework's control list does not name. */
  title: string | null;
  rules: string[];
  /** Why no rule checks it, from the control list (or that its rules were not evaluated). */
  notCovered: string | null;
  status: ControlStatus;
  counts: StatusCounts;
  /** One entry per account of the report; empty for a NOT_COVERED control. Made again at each read: keep what you read. */
  readonly accounts: ControlAccountView[];
}

export interface FrameworkCompliance {
  id: string;
  name: string | null;
  scope: string | null;
  controls: ControlView[];
  /** How many controls have each status. */
  controlCounts: Record<ControlStatus, number>;
}

const natural = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
const zero = (): StatusCounts => ({ PASS: 0, FAIL: 0, ERROR: 0, NOT_APPLICABLE: 0 });

export function statusOf(counts: StatusCounts): Exclude<ControlStatus, 'NOT_COVERED'> {
  if (counts.FAIL) return 'FAIL';
  if (counts.ERROR) return 'ERROR';
  if (counts.PASS) return 'PASS';
  return counts.NOT_APPLICABLE ? 'NOT_APPLICABLE' : 'NO_FINDINGS';
}

interface ComplianceInput {
  report: AnyReport;
  /** The evaluated rules: what each maps to, including controls no finding came from. */
  rules: readonly { id: string; frameworks: Record<string, string[]> }[];
}

/**
 * The frameworks of the report: only report.framework when the run chose one; otherwise every
 * framework with a control list or a rule mapped to it.
 */
export function complianceView(input: ComplianceInput, catalogue: ReadonlyMap<string, FrameworkControls> = frameworkCatalogue()): FrameworkCompliance[] {
  const frameworks = complianceFrameworks(input, catalogue);
  return frameworks.ids.map((id) => frameworks.view(id));
}

/**
 * complianceView's frameworks (`ids`, in its order), each counted only when its view is asked
 * for: a view has a count per control and account (hundreds of megabytes of objects for all of
 * them at 10,000 accounts), so a caller that uses each and lets it go holds one at a time.
 */
export function complianceFrameworks(
  { report: given, rules }: ComplianceInput,
  catalogue: ReadonlyMap<string, FrameworkControls> = frameworkCatalogue(),
): { ids: string[]; view(id: string): FrameworkCompliance } {
  const report = evaluatedReport(given);
  const mapped = new Map<string, Map<string, Set<string>>>();
  const map = (fw: string, control: string, ruleId: string) => {
    const controls = mapped.get(fw) ?? mapped.set(fw, new Map()).get(fw)!;
    (controls.get(control) ?? controls.set(control, new Set()).get(control)!).add(ruleId);
  };
  for (const r of rules) for (const [fw, ids] of Object.entries(r.frameworks)) for (const id of ids) map(fw, id, r.id);
  for (const f of report.findings.heads()) for (const [fw, ids] of Object.entries(f.frameworks)) for (const id of ids) map(fw, id, f.ruleId);

  const accounts = report.accounts.map((a) => ({ id: a.id, name: a.name }));
  const known = new Set(accounts.map((a) => a.id));
  for (const f of report.findings.heads()) {
    // A resource owned outside the scanned accounts (e.g. a bucket of another organization).
    if (known.has(f.accountId)) continue;
    accounts.push({ id: f.accountId, name: f.accountName });
    known.add(f.accountId);
  }

  const ids = report.framework ? [report.framework] : [...new Set([...catalogue.keys(), ...mapped.keys()])].sort(natural);
  return { ids, view: (fw) => frameworkView(report, fw, catalogue, mapped, accounts) };
}

function frameworkView(
  report: ReturnType<typeof evaluatedReport>,
  fw: string,
  catalogue: ReadonlyMap<string, FrameworkControls>,
  mapped: ReadonlyMap<string, Map<string, Set<string>>>,
  accounts: readonly { id: string; name: string }[],
): FrameworkCompliance {
  // counts[control][account * 4 + status] of this framework: four integers an account, where a
  // map of count objects per control held 10,000 of them a control at 10,000 accounts.
  const accountAt = new Map(accounts.map((a, i) => [a.id, i]));
  const counts = new Map<string, Uint32Array>();
  // The findings of a rule come one after another and share its mapping object: its controls of
  // this framework, each once, are found again only when the mapping changes.
  let mapping: object | null = null;
  let ofMapping: string[] | null = null;
  for (const f of report.findings.heads()) {
    if (f.frameworks !== mapping) {
      mapping = f.frameworks;
      ofMapping = Object.hasOwn(f.frameworks, fw) ? [...new Set(f.frameworks[fw])] : null;
    }
    if (!ofMapping) continue;
    const at = accountAt.get(f.accountId)! * STATUSES.length + STATUSES.indexOf(f.status);
    for (const id of ofMapping) {
      const byAccount = counts.get(id) ?? counts.set(id, new Uint32Array(accounts.length * STATUSES.length)).get(id)!;
      byAccount[at]!++;
    }
  }
  const countsOf = (byAccount: Uint32Array | undefined, i: number): StatusCounts => {
    const c = zero();
    if (byAccount) for (const [k, s] of STATUSES.entries()) c[s] = byAccount[i * STATUSES.length + k]!;
    return c;
  };
  const list = catalogue.get(fw);
  const controlsMapped = mapped.get(fw) ?? new Map<string, Set<string>>();
  const listed = list?.controls ?? [];
  const ids = [...new Set([...listed.map((c) => c.id), ...controlsMapped.keys()])].sort(natural);
  const controls = ids.map((id): ControlView => {
    const entry = listed.find((c) => c.id === id);
    const ruleIds = [...(controlsMapped.get(id) ?? [])].sort();
    const title = entry?.title ?? null;
    if (!ruleIds.length) {
      const notCovered = entry?.notCovered ?? 'no evaluated rule maps to this control (its rules are switched off or outside --framework)';
      return { id, title, rules: [], notCovered, status: 'NOT_COVERED', counts: zero(), accounts: [] };
    }
    const byAccount = counts.get(id);
    const total = zero();
    if (byAccount) for (const [i, n] of byAccount.entries()) total[STATUSES[i % STATUSES.length]!] += n;
    const view = { id, title, rules: ruleIds, notCovered: null, status: statusOf(total), counts: total } as ControlView;
    // Made from the counts each time it is read (10,000 objects a control): a view of every control
    // does not hold them all. Enumerable, so copies and JSON carry it.
    Object.defineProperty(view, 'accounts', {
      enumerable: true,
      get: (): ControlAccountView[] =>
        accounts.map((a, i) => {
          const c = countsOf(byAccount, i);
          return { accountId: a.id, accountName: a.name, status: statusOf(c), counts: c };
        }),
    });
    return view;
  });
  const controlCounts = Object.fromEntries(CONTROL_STATUSES.map((s) => [s, controls.filter((c) => c.status === s).length])) as Record<ControlStatus, number>;
  return { id: fw, name: list?.name ?? null, scope: list?.scope ?? null, controls, controlCounts };
}
