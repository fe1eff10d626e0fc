// What every report format receives. report.json is the contract; the other formats derive from
// it, with the snapshot (coverage, OU tree) and the evaluated rules (help text) for context.
import type { Rule } from '../../engine/load.js';
import type { Snapshot } from '../../inventory/schema.js';
import { capStrings } from '../../util/cap-text.js';
import type { Report } from '../report.js';

export interface RenderInput {
  report: Report;
  snapshot: Snapshot;
  /** The rules that were evaluated (after config switches and --framework). */
  rules: Rule[];
}

export interface ReportFormat {
  /** The --format name. */
  name: string;
  /** The file written in --out. */
  file: string;
  /**
   * The file's text, whole or as chunks in order. Chunks let a format too large for one string
   * (report.json of several thousand accounts) go to disk piece by piece.
   */
  render(input: RenderInput): Rendered | Promise<Rendered>;
}

export type Rendered = string | Iterable<string>;

/** The rendered text as chunks, whichever way the format produced it. */
export async function renderChunks(format: ReportFormat, input: RenderInput): Promise<Iterable<string>> {
  const r = await format.render(capped(input));
  return typeof r === 'string' ? [r] : r;
}

/** The rendered text as one string (for comparing and measuring; writing should use the chunks). */
export async function renderText(format: ReportFormat, input: RenderInput): Promise<string> {
  const r = await format.render(capped(input));
  return typeof r === 'string' ? r : [...r].join('');
}

const cappedInputs = new WeakMap<RenderInput, RenderInput>();

/**
 * Formats read the snapshot too (trail names, the log-integrity view): its strings are capped as
 * the report's are (buildReport), once per input however many formats render it.
 */
function capped(input: RenderInput): RenderInput {
  let out = cappedInputs.get(input);
  if (!out) {
    const seen = new WeakMap<object, unknown>();
    out = { ...input, report: capStrings(input.report, undefined, seen), snapshot: capStrings(input.snapshot, undefined, seen) };
    cappedInputs.set(input, out);
  }
  return out;
}
