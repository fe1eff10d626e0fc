// The registry of --format names. One line per format; each lives in its own module.
import { jsonFormat } from './json.js';
import type { ReportFormat } from './types.js';

export type { RenderInput, ReportFormat } from './types.js';

export const REPORT_FORMATS: readonly ReportFormat[] = [
  jsonFormat,
];

/** architecture.md: default json,html (html joins when its renderer lands). */
export const DEFAULT_FORMATS: readonly string[] = ['json'];

export function reportFormat(name: string): ReportFormat | undefined {
  return REPORT_FORMATS.find((f) => f.name === name);
}
