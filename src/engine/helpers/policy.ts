// S3 bucket-policy and ACL analysis: pure functions over plain JSON (no SDK types, no I/O).
//
// AWS sources this module follows (see policy.test.ts for a case per rule):
// - S3 User Guide, "Blocking public access to your Amazon S3 storage" > "The meaning of 'public'"
//   (docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html; read
//   in the awsdocs/amazon-s3-userguide copy):
//   an ACL is public if it grants anything to AllUsers or AuthenticatedUsers; a bucket policy is
//   assumed public unless it grants access only to FIXED values (no wildcard, no policy variable)
//   of a principal, aws:SourceIp CIDRs (not broader than /8 IPv4, /32 IPv6), aws:SourceArn,
//   aws:SourceVpc, aws:SourceVpce, aws:SourceOwner, aws:SourceAccount,
//   s3:x-amz-server-side-encryption-aws-kms-key-id, aws:userid, s3:DataAccessPointArn (the access
//   point name may be a wildcard if the account is fixed), s3:DataAccessPointAccount, and
//   principal keys "e.g. aws:PrincipalOrgID". Its examples: `Principal: {Federated:
//   "graph.facebook.com"}` is public; `StringLike aws:SourceVpc "vpc-*"` is public.
// - Same page, Block Public Access settings: IgnorePublicAcls ignores public ACLs; RestrictPublicBuckets
//   restricts a bucket with a public policy to AWS service principals and authorized users of the
//   owner account (all cross-account access is blocked); BlockPublicAcls and BlockPublicPolicy only
//   reject NEW public ACLs/policies ("doesn't affect existing policies or ACLs"). Bucket and account
//   settings combine: "the most restrictive combination" applies.
// - CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail": add aws:SourceArn (the trail
//   ARN) to the bucket policy as a confused-deputy protection; AWS Control Tower's audit bucket uses
//   aws:SourceOrgID for organization trails.
// - AWS Config rule s3-bucket-ssl-requests-only / re:Post: the compliant policy is a Deny of `s3:*`
//   on the bucket and `bucket/*` for Principal "*" when `Bool aws:SecureTransport "false"`.

/** Principals named by a `Principal` or `NotPrincipal` element. `any` is `"*"` or `{"AWS": "*"}`. */
export interface Principals {
  any: boolean;
  aws: string[];
  service: string[];
  federated: string[];
  canonicalUser: string[];
  /** Principal types this module does not know (treated as public: never a false PASS). */
  other: string[];
}

/** One key test of a Condition block, e.g. `"ForAnyValue:StringEqualsIfExists": {"aws:SourceVpce": [...]}`. */
export interface Condition {
  /** The operator as written, e.g. `ForAnyValue:StringLikeIfExists`. */
  operator: string;
  /** The operator without set qualifier and IfExists suffix, lower-cased: `stringlike`. */
  base: string;
  qualifier: 'foranyvalue' | 'forallvalues' | null;
  ifExists: boolean;
  /** Condition keys are case-insensitive in IAM: stored lower-cased. Values keep their case. */
  key: string;
  values: string[];
}

/** A policy statement in one shape whatever the JSON used (single values or lists). */
export interface Statement {
  index: number;
  sid: string | null;
  effect: 'Allow' | 'Deny' | null;
  principal: Principals | null;
  notPrincipal: Principals | null;
  /** null when the element is absent (so `Action` and `NotAction` stay distinguishable). */
  actions: string[] | null;
  notActions: string[] | null;
  resources: string[] | null;
  notResources: string[] | null;
  conditions: Condition[];
}

/** A normalised ACL grant, as in the inventory's `bucket.acl.grants`. */
export type AclGrant = { granteeType: string; uri: string | null; id: string | null; permission: string };

/** The four Block Public Access settings (the inventory's PublicAccessBlock also has `configured`). */
export type PublicAccessBlockFlags = Record<'blockPublicAcls' | 'ignorePublicAcls' | 'blockPublicPolicy' | 'restrictPublicBuckets', boolean>;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): string[] => (v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map((x) => String(x)));
const listOrNull = (v: unknown): string[] | null => (v === undefined ? null : list(v));

/** IAM wildcard match: `*` any run, `?` one character. */
export function glob(pattern: string, value: string, caseInsensitive: boolean): boolean {
  const src = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${src}$`, caseInsensitive ? 'is' : 's').test(value);
}

/** IAM action match (`s3:Get*`, `s3:?etObject`, `*`), case-insensitive as IAM action names are. */
export function actionMatches(pattern: string, action: string): boolean {
  return glob(pattern.trim(), action.trim(), true);
}

/** Does `pattern` match `prefix + X` for EVERY X? (It must end in `*` and the rest match a prefix of `prefix`.) */
function coversAllAfter(pattern: string, prefix: string, caseInsensitive: boolean): boolean {
  if (!pattern.endsWith('*')) return false;
  const head = pattern.replace(/\*+$/, '');
  for (let k = 0; k <= prefix.length; k++) if (glob(head, prefix.slice(0, k), caseInsensitive)) return true;
  return false;
}

/** A "fixed" value in AWS's sense: no wildcard and no `${...}` policy variable. */
const isFixed = (v: string): boolean => v.trim() !== '' && !/[*?]|\$\{/.test(v);

function parsePrincipals(v: unknown): Principals | null {
  if (v === undefined || v === null) return null;
  const p: Principals = { any: false, aws: [], service: [], federated: [], canonicalUser: [], other: [] };
  if (typeof v === 'string') {
    if (v.trim() === '*') p.any = true;
    else p.other.push(v);
  } else if (isRecord(v)) {
    for (const [type, values] of Object.entries(v)) {
      const t = type.toLowerCase();
      const bucket = t === 'aws' ? p.aws : t === 'service' ? p.service : t === 'federated' ? p.federated : t === 'canonicaluser' ? p.canonicalUser : p.other;
      bucket.push(...list(values));
    }
  } else p.other.push(JSON.stringify(v));
  if (p.aws.some((a) => a.trim() === '*')) p.any = true;
  return p;
}

function parseConditions(v: unknown): Condition[] {
  if (!isRecord(v)) return [];
  const out: Condition[] = [];
  for (const [operator, block] of Object.entries(v)) {
    if (!isRecord(block)) continue;
    const m = /^(ForAnyValue|ForAllValues):(.*)$/i.exec(operator);
    const rest = m?.[2] ?? operator;
    const ifExists = /IfExists$/i.test(rest);
    const base = (ifExists ? rest.slice(0, -'IfExists'.length) : rest).toLowerCase();
    const qualifier = m?.[1] ? (m[1].toLowerCase() as Condition['qualifier']) : null;
    for (const [key, values] of Object.entries(block)) out.push({ operator, base, qualifier, ifExists, key: key.toLowerCase(), values: list(values) });
  }
  return out;
}

/**
 * The statements of a policy document, whatever its shape: the parsed JSON or its text,
 * `Statement` as an object or a list. Anything that is not a policy yields no statements
 * (the collector reports unparseable policies separately, as `policy.parseError`).
 */
export function normalizeStatements(policy: unknown): Statement[] {
  let doc = policy;
  try {
    if (typeof doc === 'string') doc = JSON.parse(doc);
  } catch {
    return [];
  }
  if (!isRecord(doc)) return [];
  const raw = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
  return raw.filter(isRecord).map((s, index) => {
    const effect = typeof s.Effect === 'string' ? s.Effect.toLowerCase() : '';
    return {
      index,
      sid: typeof s.Sid === 'string' ? s.Sid : null,
      effect: effect === 'allow' ? 'Allow' : effect === 'deny' ? 'Deny' : null,
      principal: parsePrincipals(s.Principal),
      notPrincipal: parsePrincipals(s.NotPrincipal),
      actions: listOrNull(s.Action),
      notActions: listOrNull(s.NotAction),
      resources: listOrNull(s.Resource),
      notResources: listOrNull(s.NotResource),
      conditions: parseConditions(s.Condition),
    };
  });
}

// Keys that make a public-principal grant non-public when tested with fixed values. The first
// group is listed verbatim by AWS; the second are principal-identity keys (AWS: "An AWS principal,
// user, role, or service principal (e.g. aws:PrincipalOrgID)") and the organization variants of
// aws:SourceAccount, which scope access to one named principal, account or organization.
const RESTRICTING_KEYS = new Set([
  ...['aws:sourcearn', 'aws:sourcevpc', 'aws:sourcevpce', 'aws:sourceowner', 'aws:sourceaccount', 'aws:userid', 'aws:principalorgid'],
  ...['s3:x-amz-server-side-encryption-aws-kms-key-id', 's3:dataaccesspointarn', 's3:dataaccesspointaccount'],
  ...['aws:principalaccount', 'aws:principalarn', 'aws:principalorgpaths', 'aws:sourceorgid', 'aws:sourceorgpaths'],
]);
/** Positive equality/match operators: the only ones that narrow who is allowed to a listed value. */
const MATCH_OPERATORS = new Set(['stringequals', 'stringequalsignorecase', 'stringlike', 'arnequals', 'arnlike']);

/** A CIDR no broader than /8 (IPv4) or /32 (IPv6); broader ranges are "public" per AWS. */
function narrowCidr(v: string): boolean {
  if (!isFixed(v)) return false;
  const [addr = '', len] = v.trim().split('/');
  if (len === undefined) return true;
  const bits = Number(len);
  return Number.isInteger(bits) && bits >= (addr.includes(':') ? 32 : 8);
}

/** s3:DataAccessPointArn may wildcard the access point name but not partition/region/account. */
function fixedAccessPointArn(v: string): boolean {
  const parts = v.split(':');
  return parts.length >= 6 && parts[0] === 'arn' && parts.slice(1, 5).every(isFixed);
}

/**
 * Does this condition make a grant to a public principal non-public? Only a plain positive
 * operator on a listed key with fixed values does. Conservative on purpose (never a false PASS):
 * - negated operators (StringNotEquals, NotIpAddress, ...) allow everyone else;
 * - ...IfExists passes when the key is absent (e.g. any request not through a VPC endpoint);
 * - ForAllValues: passes vacuously when the key is absent; ForAnyValue: on single-valued keys is
 *   not something AWS documents for this evaluation, so it is not counted either;
 * - aws:userid "AROLEID:*" (any session of a role) has a wildcard, so it counts as not fixed.
 */
function restricts(c: Condition): boolean {
  if (c.qualifier !== null || c.ifExists || c.values.length === 0) return false;
  if (c.key === 'aws:sourceip') return c.base === 'ipaddress' && c.values.every(narrowCidr);
  if (!RESTRICTING_KEYS.has(c.key) || !MATCH_OPERATORS.has(c.base)) return false;
  return c.values.every(c.key === 's3:dataaccesspointarn' ? fixedAccessPointArn : isFixed);
}

/** Why a principal is public, or null when every principal it names is fixed. */
function publicPrincipal(p: Principals): string | null {
  if (p.any) return 'everyone (Principal "*")';
  const wild = [...p.aws, ...p.service, ...p.canonicalUser].find((v) => !isFixed(v));
  if (wild !== undefined) return `a wildcard principal ("${wild}")`;
  // AWS's own example: {"Federated": "graph.facebook.com"} is public (anyone with that login).
  if (p.federated.length > 0) return `federated principal ${p.federated.map((f) => `"${f}"`).join(', ')}`;
  if (p.other.length > 0) return `an unrecognised principal (${p.other.join(', ')})`;
  return null;
}

const label = (s: Statement): string => `statement ${s.index}${s.sid ? ` ("${s.sid}")` : ''}`;

/**
 * Allow statements that make the policy public by AWS's definition: they grant to a public
 * principal (`*`, `{"AWS": "*"}`, a wildcard or federated principal) or use NotPrincipal, and no
 * condition limits them to fixed values of a restricting key. The actions granted do not matter:
 * S3's evaluation also considers actions that could be added later.
 */
export function publicPolicyStatements(policy: unknown): { sid: string | null; index: number; reason: string }[] {
  const out: { sid: string | null; index: number; reason: string }[] = [];
  for (const s of normalizeStatements(policy)) {
    if (s.effect !== 'Allow') continue;
    const who = s.notPrincipal ? 'everyone except the NotPrincipal list' : s.principal ? publicPrincipal(s.principal) : null;
    if (who === null || s.conditions.some(restricts)) continue;
    const why = s.conditions.length
      ? `; its conditions (${s.conditions.map((c) => `${c.operator} ${c.key}`).join(', ')}) do not limit it to fixed values`
      : ' with no condition';
    out.push({ sid: s.sid, index: s.index, reason: `${label(s)} allows ${who}${why}` });
  }
  return out;
}

const PUBLIC_GROUPS = ['AllUsers', 'AuthenticatedUsers'] as const;

/** ACL grants to the AllUsers or AuthenticatedUsers groups (both count as public for S3). */
export function publicAclGrants(acl: { grants: AclGrant[] } | null): { group: 'AllUsers' | 'AuthenticatedUsers'; permission: string }[] {
  const out: { group: 'AllUsers' | 'AuthenticatedUsers'; permission: string }[] = [];
  for (const g of acl?.grants ?? []) {
    const uri = (g.uri ?? '').trim().toLowerCase();
    const group = PUBLIC_GROUPS.find((name) => uri.endsWith(`/groups/global/${name.toLowerCase()}`));
    if (group) out.push({ group, permission: g.permission });
  }
  return out;
}

/** Which levels have a Block Public Access flag on ("bucket", "account", both), or null. */
function bpaLevel(flag: keyof PublicAccessBlockFlags, bucket: PublicAccessBlockFlags | null, account: PublicAccessBlockFlags | null): string | null {
  const levels = [bucket?.[flag] ? 'bucket' : null, account?.[flag] ? 'account' : null].filter((x) => x !== null);
  return levels.length ? levels.join(' and ') : null;
}

/**
 * Whether a bucket is public after Block Public Access. Exposures: public ACL grants, public
 * policy statements, and AWS's own GetBucketPolicyStatus verdict. Either our analysis or AWS
 * saying "public" is enough (a disagreement is reported, never resolved towards PASS).
 * IgnorePublicAcls (either level) neutralises ACL grants; RestrictPublicBuckets (either level)
 * neutralises a public policy. BlockPublicAcls/BlockPublicPolicy only stop NEW public ACLs or
 * policies, so they mitigate nothing that exists. Note: GetBucketAcl returns the effective ACL,
 * so with IgnorePublicAcls on, the collected grants may already omit the public ones.
 */
export function bucketPublicExposure(input: {
  policy: unknown | null;
  acl: { grants: AclGrant[] } | null;
  bucketBlock: PublicAccessBlockFlags | null;
  accountBlock: PublicAccessBlockFlags | null;
  policyStatusIsPublic: boolean | null;
}): { public: boolean; reasons: string[]; mitigatedBy: string[] } {
  const on = (flag: keyof PublicAccessBlockFlags) => bpaLevel(flag, input.bucketBlock, input.accountBlock);
  const exposures: string[] = [];
  const notes: string[] = [];
  const mitigatedBy: string[] = [];

  const grants = publicAclGrants(input.acl).map((g) => `ACL grants ${g.permission} to ${g.group}`);
  const ignoreAcls = on('ignorePublicAcls');
  if (ignoreAcls) mitigatedBy.push(...grants.map((g) => `${g}: ignored by IgnorePublicAcls (${ignoreAcls})`));
  else {
    exposures.push(...grants);
    const blockAcls = on('blockPublicAcls');
    if (grants.length && blockAcls) notes.push(`BlockPublicAcls (${blockAcls}) only rejects new public ACLs; it does not neutralise existing grants`);
  }

  const statements = publicPolicyStatements(input.policy).map((s) => `bucket policy ${s.reason}`);
  if (input.policyStatusIsPublic === true) statements.push('AWS GetBucketPolicyStatus reports the policy as public');
  else if (input.policyStatusIsPublic === false && statements.length) notes.push('AWS GetBucketPolicyStatus reports IsPublic=false, but the policy grants public access by the documented rules');
  const restrict = on('restrictPublicBuckets');
  if (restrict) {
    mitigatedBy.push(...statements.map((s) => `${s}: RestrictPublicBuckets (${restrict}) limits it to AWS service principals and the owner account`));
  } else {
    exposures.push(...statements);
    const blockPolicy = on('blockPublicPolicy');
    if (statements.length && blockPolicy) notes.push(`BlockPublicPolicy (${blockPolicy}) only rejects new public policies; it does not restrict the existing one`);
  }
  return { public: exposures.length > 0, reasons: exposures.length ? [...exposures, ...notes] : [], mitigatedBy };
}

/** Does the statement allow (or, for Deny, cover) `action`, honouring NotAction? */
function coversAction(s: Statement, action: string): boolean {
  if (s.actions) return s.actions.some((a) => actionMatches(a, action));
  if (s.notActions) return !s.notActions.some((a) => actionMatches(a, action));
  return false;
}

/**
 * Does the policy deny every request made over plain HTTP? AWS's documented form (AWS Config
 * s3-bucket-ssl-requests-only): Effect Deny, Principal "*" (or {"AWS": "*"}), Action `s3:*` (or
 * `*`; at least s3:GetObject and s3:PutObject), Resource covering the bucket AND all its objects,
 * and only the condition `Bool` (or `BoolIfExists`) `aws:SecureTransport` = false. Several such
 * statements may split the bucket and object resources. A statement with further conditions
 * (e.g. a VPC endpoint) denies only part of the HTTP traffic and does not count.
 * The `NumericLessThan s3:TlsVersion` form is NOT accepted: AWS documents it as denying HTTPS
 * requests that use an old TLS version, and plain HTTP requests carry no TLS version for it to test.
 * Without `bucketArn`, the bucket ARNs named in the statements' resources are used.
 */
export function deniesInsecureTransport(policy: unknown, bucketArn?: string): boolean {
  const denies = normalizeStatements(policy).filter(
    (s) =>
      s.effect === 'Deny' &&
      s.notPrincipal === null &&
      s.principal?.any === true &&
      s.notResources === null &&
      s.resources !== null &&
      s.actions !== null &&
      (s.actions.some((a) => coversAllAfter(a.trim(), 's3:', true)) || (coversAction(s, 's3:GetObject') && coversAction(s, 's3:PutObject'))) &&
      s.conditions.length > 0 &&
      s.conditions.every(
        (c) => c.key === 'aws:securetransport' && c.base === 'bool' && c.qualifier === null && c.values.length > 0 && c.values.every((v) => v.trim().toLowerCase() === 'false'),
      ),
  );
  const resources = denies.flatMap((s) => s.resources ?? []).map((r) => r.trim());
  const candidates = bucketArn ? [bucketArn] : resources.filter((r) => /^arn:[^:]+:s3:::[^/]+$/.test(r) && isFixed(r));
  if (candidates.length === 0 && resources.includes('*')) candidates.push('arn:aws:s3:::bucket');
  return candidates.some((b) => resources.some((r) => glob(r, b, false)) && resources.some((r) => coversAllAfter(r, `${b}/`, false)));
}

const CONFUSED_DEPUTY_KEYS = new Set(['aws:sourcearn', 'aws:sourceaccount', 'aws:sourceorgid']);

/** A condition that ties CloudTrail's writes to a named trail, account or organization. */
function constrainsSource(c: Condition): boolean {
  if (!CONFUSED_DEPUTY_KEYS.has(c.key) || c.qualifier !== null || c.ifExists || !MATCH_OPERATORS.has(c.base) || c.values.length === 0) return false;
  // A trail ARN may wildcard the region or trail name; the account must be fixed.
  if (c.key === 'aws:sourcearn') return c.values.every((v) => { const p = v.split(':'); return p.length >= 6 && p[0] === 'arn' && isFixed(p[4] ?? ''); });
  return c.values.every(isFixed);
}

/**
 * Allow statements granting the CloudTrail service principal s3:PutObject (directly, through a
 * wildcard, or through NotAction) without an aws:SourceArn / aws:SourceAccount / aws:SourceOrgID
 * condition: any trail, in any account, could then write into the bucket (confused deputy).
 */
export function cloudTrailWritesWithoutSourceCondition(policy: unknown): { sid: string | null; index: number }[] {
  return normalizeStatements(policy)
    .filter(
      (s) =>
        s.effect === 'Allow' &&
        (s.principal?.service ?? []).some((p) => /^cloudtrail\.amazonaws\.com(\.cn)?$/i.test(p.trim())) &&
        coversAction(s, 's3:PutObject') &&
        !s.conditions.some(constrainsSource),
    )
    .map((s) => ({ sid: s.sid, index: s.index }));
}
