// The registry of --format names. One line per format; each lives in its own module.
import { asffFormat } from './asff.js';
import { complianceFormat } from './compliance.js';
import { csvFormat } from './csv.js';
import { htmlFormat } from './html.js';
import { jsonFormat } from './json.js';
import { junitFormat } from './junit.js';
import { markdownFormat } from './markdown.js';
import { ocsfFormat } from './ocsf.js';
import { sarifFormat } from './sarif.js';
import type { ReportFormat } from './types.js';

export { chunkTexts, renderChunks, renderExtraFiles, renderText, type Chunk, type Rendered, type RenderInput, type ReportFormat } from './types.js';

export const REPORT_FORMATS: readonly ReportFormat[] = [
  jsonFormat,
  htmlFormat,
  csvFormat,
  sarifFormat,
  junitFormat,
  ocsfFormat,
  markdownFormat,
  asffFormat,
  complianceFormat,
];

/** architecture.md: default json,html. */
export const DEFAULT_FORMATS: readonly string[] = ['json', 'html'];

export function reportFormat(name: string): ReportFormat | undefined {
  return REPORT_FORMATS.find((f) => f.name === name);
}
