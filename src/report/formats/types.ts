// What every report format receives. report.json is the contract; the other formats derive from
// it, with the snapshot (coverage, OU tree) and the evaluated rules (help text) for context.
import type { Rule } from '../../engine/load.js';
import type { Snapshot } from '../../inventory/schema.js';
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
  render(input: RenderInput): string | Promise<string>;
}
