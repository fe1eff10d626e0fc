// KMS keys that encrypt trail log files: state, rotation and key policy, read in the key's region.
import { DescribeKeyCommand, GetKeyPolicyCommand, GetKeyRotationStatusCommand, type KeyMetadata } from '@aws-sdk/client-kms';
import type { Key } from '../inventory/schema.js';
import { parsePolicy } from './buckets.js';
import { parseArn, type CollectorSpec, type ScanContext } from './context.js';
import type { CallSite } from './errors.js';

export const collector: CollectorSpec = {
  name: 'keys',
  service: 'kms',
  principal: 'member',
  operations: {
    DescribeKey: 'kms:DescribeKey',
    GetKeyRotationStatus: 'kms:GetKeyRotationStatus',
    GetKeyPolicy: 'kms:GetKeyPolicy',
  },
};

export const KEY_FACTS = ['key.metadata', 'key.rotation', 'key.policy'] as const;

export interface ReadKeyInput {
  /** The key as the trail names it: normally a key ARN, possibly an alias ARN. */
  arn: string;
  usedByTrailArns: string[];
  readAs: string | null;
}

function iso(value: Date | string | undefined): string | null {
  if (value === undefined) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * Rotation that needs no GetKeyRotationStatus call, or undefined when the key must be asked.
 * - AWS managed keys: KMS rotates their key material every year (since May 2022; it was every
 *   three years before), and that cannot be changed.
 * - Automatic rotation is supported only on symmetric encryption keys (KeySpec
 *   SYMMETRIC_DEFAULT) whose key material KMS generated (Origin AWS_KMS). Asymmetric and HMAC
 *   keys, keys with imported key material (EXTERNAL) and keys in custom key stores
 *   (AWS_CLOUDHSM, EXTERNAL_KEY_STORE) never rotate automatically.
 */
export function knownRotation(m: KeyMetadata): Key['rotation'] | undefined {
  if (m.KeyManager === 'AWS') return { enabled: true, periodDays: 365 };
  const spec = m.KeySpec ?? m.CustomerMasterKeySpec ?? 'SYMMETRIC_DEFAULT';
  const origin = m.Origin ?? 'AWS_KMS';
  if (spec !== 'SYMMETRIC_DEFAULT' || origin !== 'AWS_KMS') return { enabled: false, periodDays: null };
  return undefined;
}

/** Reads one key as `input.readAs`. Each fact that fails stays null with its error recorded. */
export async function readKey(ctx: ScanContext, input: ReadKeyInput): Promise<Key> {
  const parsed = parseArn(input.arn);
  const region = parsed?.region || ctx.homeRegion;
  const owner = parsed && /^\d{12}$/.test(parsed.accountId) ? parsed.accountId : null;
  const key: Key = {
    arn: input.arn,
    keyId: null,
    ownerAccountId: owner,
    region,
    usedByTrailArns: [...input.usedByTrailArns],
    readAs: input.readAs,
    exists: null,
    metadata: null,
    rotation: null,
    policy: null,
  };
  const resource = { type: 'key' as const, id: input.arn };
  const readAs = input.readAs;
  if (readAs === null) {
    ctx.log.record(
      { accountId: owner, region, service: 'kms', operation: 'ReadKey', resource, facts: [...KEY_FACTS] },
      Object.assign(new Error(`no scanned account can read KMS key ${input.arn}: neither its owner nor a trail owner is accessible`), {
        name: 'NoAccess',
      }),
    );
    return key;
  }

  const client = ctx.client('kms', readAs, region);
  const site = (operation: string, facts: string[]): CallSite => ({ accountId: readAs, region, service: 'kms', operation, resource, facts });
  const described = await ctx.attempt(
    site('DescribeKey', [...KEY_FACTS]),
    () => client.send(new DescribeKeyCommand({ KeyId: input.arn })),
    ['NotFoundException'],
  );
  if (described.status === 'absent') {
    key.exists = false;
    return key;
  }
  if (described.status === 'error') return key;
  const m = described.value.KeyMetadata;
  if (!m?.KeyId) {
    ctx.log.record(site('DescribeKey', [...KEY_FACTS]), Object.assign(new Error('DescribeKey returned no key metadata'), { name: 'EmptyResponse' }));
    return key;
  }
  key.exists = true;
  key.keyId = m.KeyId;
  key.metadata = {
    keyArn: m.Arn ?? input.arn,
    keyState: m.KeyState ?? 'Unknown',
    keyManager: m.KeyManager ?? 'Unknown',
    keySpec: m.KeySpec ?? m.CustomerMasterKeySpec ?? null,
    keyUsage: m.KeyUsage ?? null,
    origin: m.Origin ?? null,
    deletionDate: iso(m.DeletionDate),
    description: m.Description || null,
  };
  // GetKeyRotationStatus and GetKeyPolicy take a key id or key ARN, never an alias.
  const KeyId = m.Arn ?? m.KeyId;
  const known = knownRotation(m);
  const keyOwner = parseArn(m.Arn ?? '')?.accountId ?? owner;
  const readRotation = async (): Promise<Key['rotation']> => {
    if (known !== undefined) return known;
    const r = await ctx.attempt(site('GetKeyRotationStatus', ['key.rotation']), () => client.send(new GetKeyRotationStatusCommand({ KeyId })));
    return r.status === 'ok' ? { enabled: r.value.KeyRotationEnabled ?? false, periodDays: r.value.RotationPeriodInDays ?? null } : null;
  };
  const readPolicy = async (): Promise<Key['policy']> => {
    // GetKeyPolicy does not work across accounts: only the key's own account can read it.
    if (keyOwner && keyOwner !== readAs) {
      ctx.log.record(
        site('GetKeyPolicy', ['key.policy']),
        Object.assign(new Error(`GetKeyPolicy cannot read a key of account ${keyOwner} as account ${readAs}`), {
          name: 'CrossAccountNotSupported',
        }),
      );
      return null;
    }
    const r = await ctx.attempt(site('GetKeyPolicy', ['key.policy']), () => client.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' })));
    return r.status === 'ok' ? parsePolicy(r.value.Policy) : null;
  };
  [key.rotation, key.policy] = await Promise.all([readRotation(), readPolicy()]);
  return key;
}
