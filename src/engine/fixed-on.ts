// What a FAIL or ERROR finding is fixed on, for the fix plan (architecture.md, "Fix plan"). A FAIL
// is fixed where its rule's `fixedOn` points; an ERROR is fixed by granting what could not be
// read: the member role's trust policy when the account could not be entered, the IAM action of
// the failed collection otherwise. Decided from the verdict's data, never from a rule id.
import type { FixTarget, RenderedRemediation } from '../findings/finding.js';
import type { AccountRecord, CollectionError, Snapshot } from '../inventory/schema.js';
import { capText } from '../util/cap-text.js';
import { EvaluationBudget } from './cel.js';
import type { HelperDeps } from './helpers/index.js';
import type { Rule } from './load.js';
import { FIX_KINDS, type FixKind } from './rule-schema.js';
import type { Subject } from './view.js';

/** SDK operation -> IAM action; the core passes the collectors' declarations (the engine knows no SDK). */
export type IamActionFor = (service: string, operation: string) => string | undefined;

export interface FixContext {
  snapshot: Snapshot;
  deps: HelperDeps;
  iamActionFor: IamActionFor;
  account: AccountRecord | null;
}

export interface Fix {
  fixedOn: FixTarget;
  /** An ERROR's own remediation (how to grant what could not be read); null keeps the rule's. */
  remediation: RenderedRemediation | null;
}

const byId = new WeakMap<Snapshot, Map<string, AccountRecord>>();
function accountsById(snapshot: Snapshot): Map<string, AccountRecord> {
  let m = byId.get(snapshot);
  if (!m) byId.set(snapshot, (m = new Map(snapshot.accounts.map((a) => [a.id, a]))));
  return m;
}

const accountOfArn = (arn: string): string | null => /^arn:[^:]+:[^:]*:[^:]*:(\d{12}):/.exec(arn)?.[1] ?? null;

/** The IAM principal behind the scanner's credentials (an assumed-role session names its role). */
export function scannerPrincipal(callerArn: string): string {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(callerArn);
  if (m) return `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`;
  return callerArn.replace(/^arn:([^:]+):sts::/, 'arn:$1:iam::');
}

export function fixFor(rule: Rule, subject: Subject, status: 'FAIL' | 'ERROR', vars: Record<string, unknown>, cause: CollectionError | undefined, ctx: FixContext): Fix {
  if (status === 'ERROR') {
    const account = ctx.account;
    const assumeFailed = cause?.service === 'sts' && cause.operation === 'AssumeRole';
    if ((subject.blocked && account?.status === 'error') || assumeFailed) {
      // The account that refused the scanner: the finding's own, or another one whose facts it needed
      // (a bucket owned in an account that could not be entered).
      const id = (assumeFailed ? cause?.accountId : null) ?? account?.id ?? subject.accountId;
      const refused = id === account?.id ? account : (accountsById(ctx.snapshot).get(id) ?? null);
      const role = refused?.roleArn ?? `arn:${ctx.snapshot.partition ?? 'aws'}:iam::${id}:role/${ctx.snapshot.scope.roleName}`;
      const name = refused?.name ?? (id === subject.accountId ? subject.accountName : id);
      return { fixedOn: { kind: 'access', target: role, accountId: id }, remediation: accessRemediation(role, id, name, ctx.snapshot.caller.arn, refused?.reason ?? cause?.message ?? '') };
    }
    if (cause) {
      const action = ctx.iamActionFor(cause.service, cause.operation) ?? `${cause.service}:${cause.operation}`;
      return { fixedOn: { kind: 'permission', target: action, accountId: cause.accountId }, remediation: permissionRemediation(action, cause, ctx.snapshot.scope.roleName) };
    }
  }
  return { fixedOn: ruleTarget(rule, subject, vars, ctx.deps), remediation: null };
}

function ruleTarget(rule: Rule, subject: Subject, vars: Record<string, unknown>, deps: HelperDeps): FixTarget {
  if (rule.fixedOn && rule.compiled.fixedOn) {
    let value: unknown;
    try {
      value = rule.compiled.fixedOn.evaluate(vars, deps, new EvaluationBudget());
    } catch {
      value = null; // a trail-less account has no trail.* to name: the finding's own resource is fixed
    }
    if (typeof value === 'string' && value) return { kind: rule.fixedOn.kind, target: capText(value), accountId: accountOfArn(value) ?? subject.accountId };
  }
  const r = subject.resource;
  const kind: FixKind = (FIX_KINDS as readonly string[]).includes(r.type) ? (r.type as FixKind) : r.type === 'log-stream' ? 'trail' : 'account';
  const target = kind === 'account' ? subject.accountId : r.type === 'log-stream' ? (r.arn ?? r.id) : r.id;
  return { kind, target, accountId: subject.accountId };
}

function accessRemediation(role: string, accountId: string, accountName: string, callerArn: string, reason: string): RenderedRemediation {
  const principal = scannerPrincipal(callerArn);
  const roleName = role.split('/').pop() ?? role;
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }] });
  return {
    summary: capText(
      `Let trailwarden assume ${role} in account ${accountName} (${accountId}): the role must exist, its trust policy must allow sts:AssumeRole by the scanner ${principal}, the scanner's own policy must allow sts:AssumeRole on the role, and no SCP may deny it. The scan was refused: ${reason}`,
    ),
    console: [
      `Sign in to account ${accountId} (${accountName}) > IAM > Roles > ${roleName} (if it is missing, deploy deploy/member-role.yaml or the deploy/member-stackset.yaml StackSet)`,
      `Trust relationships > Edit trust policy: allow the principal ${principal} the action sts:AssumeRole`,
      `In the scanner's account, check that ${principal} may call sts:AssumeRole on ${role}, and that no SCP on account ${accountId} denies it`,
    ],
    cli: `# as account ${accountId}\naws iam update-assume-role-policy --role-name ${roleName} --policy-document '${trust}'\n# then, with the scanner's credentials:\naws sts assume-role --role-arn ${role} --role-session-name trailwarden-check`,
    terraform: `# provider for account ${accountId}\nresource "aws_iam_role" "trailwarden" {\n  name               = "${roleName}"\n  assume_role_policy = jsonencode(${trust})\n}`,
    cloudformation: `# stack in account ${accountId} (or deploy/member-stackset.yaml for every member)\nTrailwardenRole:\n  Type: AWS::IAM::Role\n  Properties:\n    RoleName: ${roleName}\n    AssumeRolePolicyDocument: ${trust}`,
  };
}

function permissionRemediation(action: string, cause: CollectionError, roleName: string): RenderedRemediation {
  const where = cause.accountId ? `account ${cause.accountId}` : 'the scanned accounts';
  const statement = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: [action], Resource: '*' }] });
  return {
    summary: capText(
      `Grant ${action} to the role trailwarden uses in ${where} (${roleName}): ${cause.service}:${cause.operation} failed with ${cause.code} (${cause.message}). \`trailwarden iam-policy\` prints the complete policy; an SCP or a resource policy can also deny it.`,
    ),
    console: [`Sign in to ${where} > IAM > Roles > ${roleName} > Add permissions > Create inline policy: allow ${action}`, 'Check that no SCP and no resource policy (bucket, key, topic) denies it'],
    cli: `aws iam put-role-policy --role-name ${roleName} --policy-name trailwarden-${action.replace(/[^A-Za-z0-9]/g, '-')} --policy-document '${statement}'\n# or regenerate the whole policy: npx trailwarden iam-policy --for member`,
    terraform: `resource "aws_iam_role_policy" "trailwarden_extra" {\n  role   = "${roleName}"\n  policy = jsonencode(${statement})\n}`,
    cloudformation: `TrailwardenExtraPolicy:\n  Type: AWS::IAM::RolePolicy\n  Properties:\n    RoleName: ${roleName}\n    PolicyName: trailwarden-extra\n    PolicyDocument: ${statement}`,
  };
}
