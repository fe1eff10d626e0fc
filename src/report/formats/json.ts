import type { Finding } from '../../findings/finding.js';
import { FindingStore, reportJsonText } from '../../findings/store.js';
import { evaluatedReport, type AnyReport } from '../report.js';
import type { ReportFormat } from './types.js';

/**
 * report.json, byte for byte what JSON.stringify(report, null, 2) gives, but produced a finding at
 * a time: at a few thousand accounts the whole text would pass V8's limit on one string.
 */
export function* reportJsonChunks(given: AnyReport): Generator<string> {
  const report = evaluatedReport(given);
  const marker = '\u0000findings\u0000';
  const [head, tail] = JSON.stringify({ ...report, findings: marker }, null, 2).split(JSON.stringify(marker)) as [string, string];
  yield head;
  const n = report.findings.length;
  if (n === 0) yield '[]';
  else {
    yield '[\n';
    // Inside the top-level object the array's items sit 4 spaces deep; JSON text has no raw newlines in strings.
    let i = 0;
    // A spilled store keeps each finding's text as it goes here (findings/store.ts).
    const texts = report.findings instanceof FindingStore ? report.findings.reportJsonTexts() : (function* (fs: Iterable<Finding>) {
      for (const f of fs) yield reportJsonText(f);
    })(report.findings);
    for (const text of texts) yield `${text}${++i < n ? ',' : ''}\n`;
    yield '  ]';
  }
  yield `${tail}\n`;
}

export const jsonFormat: ReportFormat = {
  name: 'json',
  file: 'report.json',
  render: ({ report }) => reportJsonChunks(evaluatedReport(report)),
};
