// The controls of each framework in trailwarden's scope, as data (frameworks/<id>.yaml, shipped
// with the package): id, short title, and for a control no rule checks, why (`notCovered`). The
// rules say which controls they judge; these files say which controls exist, so a control that
// no rule checks is listed as NOT_COVERED instead of silently missing from a framework view.
import { readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseYaml, schemaError } from '../util/yaml-source.js';

const FRAMEWORKS_DIR = new URL('../../frameworks/', import.meta.url);

const Control = z
  .object({
    id: z.string().min(1),
    title: z.string().min(1),
    notCovered: z.string().min(1).optional().describe('why no rule of the pack checks this control'),
  })
  .strict();

export const FrameworkControls = z
  .object({
    id: z.string().min(1),
    name: z.string().min(1),
    scope: z.string().min(1).describe('which part of the framework the list covers'),
    controls: z.array(Control).min(1),
  })
  .strict();
export type FrameworkControls = z.infer<typeof FrameworkControls>;

let cached: ReadonlyMap<string, FrameworkControls> | null = null;

/** Every framework's control list, by framework id. Throws file:line on a malformed file. */
export function frameworkCatalogue(): ReadonlyMap<string, FrameworkControls> {
  if (cached) return cached;
  const out = new Map<string, FrameworkControls>();
  for (const name of readdirSync(FRAMEWORKS_DIR).filter((n) => n.endsWith('.yaml')).sort()) {
    const file = `frameworks/${name}`;
    const source = parseYaml(file, readFileSync(new URL(name, FRAMEWORKS_DIR), 'utf8'));
    const parsed = FrameworkControls.safeParse(source.data);
    if (!parsed.success) throw schemaError(source, parsed.error.issues);
    if (`${parsed.data.id}.yaml` !== name) throw new Error(`${file}: id "${parsed.data.id}" must match the file name`);
    const ids = parsed.data.controls.map((c) => c.id);
    const twice = ids.find((id, i) => ids.indexOf(id) !== i);
    if (twice) throw new Error(`${file}: control "${twice}" is listed twice`);
    out.set(parsed.data.id, parsed.data);
  }
  cached = out;
  return out;
}
