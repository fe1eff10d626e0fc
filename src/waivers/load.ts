// Reading a waivers file: every problem is one input error naming the file, the line and what
// is wrong, found before any scan starts or any report is written.
import { readFile } from 'node:fs/promises';
import { InputError } from '../util/input-error.js';
import { parseYaml, schemaError } from '../util/yaml-source.js';
import { globMatcher, isGlob } from './match.js';
import { WaiversFile, type WaiverEntry } from './schema.js';

export interface Waiver extends WaiverEntry {
  /** 1-based line of the entry in its file, for messages and the report. */
  line: number | null;
}

export interface WaiverSet {
  /** The file as the user named it (reports carry this, not a machine's absolute path). */
  file: string;
  waivers: Waiver[];
}

/**
 * Loads and validates `path`; `ruleIds` is the whole rules pack, so that a rule id with a typo
 * (or a glob that matches no rule) is caught here rather than silently never matching.
 */
export async function loadWaivers(path: string, shownAs: string, ruleIds: readonly string[]): Promise<WaiverSet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(path, null, `cannot read the waivers file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const source = parseYaml(path, text);
  const parsed = WaiversFile.safeParse(source.data ?? {});
  if (!parsed.success) throw schemaError(source, parsed.error.issues, 'key');
  const waivers = parsed.data.waivers.map((w, i) => ({ ...w, line: source.lineOf(['waivers', i]) }));
  waivers.forEach((w, i) => {
    const matches = isGlob(w.rule) ? ruleIds.some(globMatcher(w.rule)) : ruleIds.includes(w.rule);
    if (!matches) {
      const what = isGlob(w.rule) ? `the glob "${w.rule}" matches no rule of the pack` : `no rule "${w.rule}" in the pack`;
      throw new InputError(path, source.lineOf(['waivers', i, 'rule']), `waivers.${i}.rule: ${what} (trailwarden rules list shows them)`);
    }
  });
  return { file: shownAs, waivers };
}
