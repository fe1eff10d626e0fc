// Rule fixtures: small JSON overlays applied on one shared, fully compliant base snapshot
// (test/rules/base-snapshot.json), so that each fixture states only what makes it pass or fail.
//
// A fixture file is JSON:
//   { "description": "why this passes/fails",
//     "overlay": { ...partial snapshot... },     // or "snapshot": { ...complete snapshot... }
//     "expect"?: [...],                          // optional, interpreted by the test that reads it
//     "config"?: {...} }                         // optional, read by test/rules/rules.test.ts
// Exactly one of "overlay" and "snapshot" is given; `"overlay": {}` is the base itself.
//
// Overlay semantics (applyOverlay):
// - A key absent from the overlay leaves the base value untouched.
// - Objects merge recursively, key by key. An object given where the base has null (or nothing)
//   is taken as it is.
// - Scalars and `null` replace (`"metricFilters": null` marks a fact as not collected; pair it
//   with an entry in "errors").
// - Arrays of identifiable items merge BY IDENTITY:
//     accounts: id              accounts[].regions: name
//     trails, eventDataStores, channels, keys, topics, logGroups, logGroups[].alarms: arn
//     buckets: name             logGroups[].metricFilters: name
//     organization.serviceControlPolicies: id
//     organization.organizationalUnits: id
//   An overlay item must carry its identity key. If the base has an item with that identity, the
//   overlay item merges into it (recursively, by these same rules); otherwise it is appended at
//   the end and must then be complete. `{ "<identity key>": "...", "$remove": true }` removes the
//   base item (it is an error if there is none: a typo must not pass silently). Items are
//   applied in order, so an item may be added and then changed by a later one.
// - `errors` is appended to: overlay entries are added after the base's (the base has none).
// - Any other array (arrays of plain values, ouPath, roots, SCP targets, ACL grants, lifecycle
//   and encryption rules, metrics, raw selectors, stats.apiCalls, ...) is replaced wholesale.
// - `{ "$replace": <value> }` (an object with that single key) replaces the base value
//   wholesale, with no merging inside: an identifiable array (`"trails": {"$replace": []}`), or
//   an object such as a policy document that must not keep any of the base's keys.
// - Derived facts are NOT recomputed: a fixture that adds a trail also sets the accounts'
//   coveringTrailArns, the linked resources' usedByTrailArns, etc. when the rule depends on them.
// - Any other key starting with "$" is an error. The base is deep-cloned first and never
//   mutated; the result is validated with the snapshot schema (Snapshot.parse).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Snapshot } from '../../src/inventory/schema.js';

/** The clock rule tests evaluate with; the base snapshot's deliveries are one hour before it. */
export const EVALUATION_NOW = new Date('2026-11-21T12:00:00Z');

export const BASE_SNAPSHOT_PATH = fileURLToPath(new URL('../rules/base-snapshot.json', import.meta.url));

/** Identity key of each identifiable array, by its path of property names (array indices left out). */
const IDENTITY: Readonly<Record<string, string>> = {
  accounts: 'id',
  'accounts.regions': 'name',
  trails: 'arn',
  eventDataStores: 'arn',
  channels: 'arn',
  keys: 'arn',
  topics: 'arn',
  logGroups: 'arn',
  'logGroups.alarms': 'arn',
  'logGroups.metricFilters': 'name',
  buckets: 'name',
  'organization.serviceControlPolicies': 'id',
  'organization.organizationalUnits': 'id',
  'logIntegrity.streams': 'id',
};
const APPEND = new Set(['errors']);

export class FixtureError extends Error {
  override name = 'FixtureError';
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isReplace = (v: unknown): v is { $replace: unknown } => isObject(v) && Object.keys(v).length === 1 && '$replace' in v;

/** Where we are: `schemaPath` selects the identity rule, `at` names the spot for error messages. */
interface Cursor {
  schemaPath: string;
  at: string;
}
const child = (c: Cursor, key: string): Cursor => ({
  schemaPath: c.schemaPath ? `${c.schemaPath}.${key}` : key,
  at: /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${c.at}.${key}` : `${c.at}[${JSON.stringify(key)}]`,
});

function merge(base: unknown, overlay: unknown, c: Cursor): unknown {
  if (overlay === undefined) return base;
  if (isReplace(overlay)) return overlay.$replace;
  if (Array.isArray(overlay)) {
    const identity = IDENTITY[c.schemaPath];
    if (identity !== undefined) return mergeByIdentity(Array.isArray(base) ? base : [], overlay, identity, c);
    if (APPEND.has(c.schemaPath)) return [...(Array.isArray(base) ? base : []), ...overlay.map((v, i) => merge(undefined, v, { ...c, at: `${c.at}[${i}]` }))];
    return overlay.map((v, i) => merge(undefined, v, { schemaPath: c.schemaPath, at: `${c.at}[${i}]` }));
  }
  if (isObject(overlay)) {
    const out: Json = isObject(base) ? base : {};
    for (const [key, value] of Object.entries(overlay)) {
      if (key.startsWith('$')) {
        throw new FixtureError(
          `${c.at}: "${key}" is not allowed here ("$replace" must be the only key of its object; "$remove" only marks an item of an identifiable array)`,
        );
      }
      out[key] = merge(out[key], value, child(c, key));
    }
    return out;
  }
  return overlay; // scalars and null replace
}

function mergeByIdentity(base: unknown[], overlay: unknown[], identity: string, c: Cursor): unknown[] {
  const out = [...base];
  overlay.forEach((item, i) => {
    const at = `${c.at}[${i}]`;
    if (!isObject(item) || typeof item[identity] !== 'string') {
      throw new FixtureError(`${at}: items of ${c.schemaPath} merge by "${identity}"; this item has no string "${identity}"`);
    }
    const id = item[identity];
    const index = out.findIndex((b) => isObject(b) && b[identity] === id);
    if ('$remove' in item) {
      if (item.$remove !== true || Object.keys(item).length !== 2) {
        throw new FixtureError(`${at}: a removal is exactly { "${identity}": "...", "$remove": true }`);
      }
      if (index < 0) throw new FixtureError(`${at}: cannot remove ${c.schemaPath} item ${identity}=${id}: there is none`);
      out.splice(index, 1);
      return;
    }
    const cursor = { schemaPath: c.schemaPath, at: `${at}{${identity}=${id}}` };
    if (index < 0) out.push(merge(undefined, item, cursor));
    else out[index] = merge(out[index], item, cursor);
  });
  return out;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(String(p)) ? `${out ? '.' : ''}${String(p)}` : `[${JSON.stringify(String(p))}]`;
  return out || '(root)';
}

/** Validates a complete snapshot; the error names every zod issue by its path. */
function parseSnapshot(value: unknown, what: string): Snapshot {
  const result = Snapshot.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`).join('\n');
  throw new FixtureError(`${what} is not a valid snapshot:\n${issues}`);
}

/** The base with the overlay applied (see the semantics above), validated. Never mutates `base`. */
export function applyOverlay(base: Snapshot, overlay: unknown): Snapshot {
  if (!isObject(overlay)) throw new FixtureError('overlay: must be a JSON object (a partial snapshot)');
  const merged = merge(structuredClone(base), structuredClone(overlay), { schemaPath: '', at: 'overlay' });
  return parseSnapshot(merged, 'the base with the overlay applied');
}

/** The compliant base organization, read and validated afresh on every call. */
export function baseSnapshot(): Snapshot {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(BASE_SNAPSHOT_PATH, 'utf8'));
  } catch (err) {
    throw new FixtureError(`${BASE_SNAPSHOT_PATH}: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseSnapshot(raw, 'the base snapshot');
  } catch (err) {
    throw new FixtureError(`${BASE_SNAPSHOT_PATH}: ${(err as Error).message}`, { cause: err });
  }
}

const FixtureFile = z
  .object({
    description: z.string().min(1),
    overlay: z.unknown().optional(),
    snapshot: z.unknown().optional(),
    expect: z.unknown().optional(),
    config: z.unknown().optional(),
  })
  .strict();

export interface Fixture {
  description: string;
  snapshot: Snapshot;
  expect?: unknown;
}

/** Reads a fixture file and builds its snapshot; every error names the file. */
export function loadFixture(path: string): Fixture {
  try {
    const file = FixtureFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (!file.success) {
      throw new FixtureError(`not a fixture file:\n${file.error.issues.map((i) => `  ${formatPath(i.path)}: ${i.message}`).join('\n')}`);
    }
    const { description, overlay, snapshot, expect } = file.data;
    if ((overlay === undefined) === (snapshot === undefined)) throw new FixtureError('give exactly one of "overlay" and "snapshot"');
    const built = overlay !== undefined ? applyOverlay(baseSnapshot(), overlay) : parseSnapshot(snapshot, 'the "snapshot"');
    return expect === undefined ? { description, snapshot: built } : { description, snapshot: built, expect };
  } catch (err) {
    throw new FixtureError(`fixture ${path}: ${(err as Error).message}`, { cause: err });
  }
}
