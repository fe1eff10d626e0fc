import { FindingStore, reportJsonText } from '../../findings/store.js';
import { evaluatedReport, type AnyReport } from '../report.js';
import type { Chunk, ReportFormat } from './types.js';

/**
 * report.json: the report as JSON.stringify(report, null, 2) indents it, except that each finding
 * is on a line of its own, as compact JSON (reportJsonText), produced a finding at a time: at a
 * few thousand accounts the whole text would pass V8's limit on one string.
 */
export function reportJsonChunks(given: AnyReport): Generator<string> {
  return reportJson(given, false) as Generator<string>;
}

/**
 * reportJsonChunks as report.json is written: a spilled store's findings are its file's bytes,
 * copied as they are (2 GB at 10,000 accounts, not decoded to text and encoded again).
 */
export function reportJsonFileChunks(given: AnyReport): Generator<Chunk> {
  return reportJson(given, true);
}

function* reportJson(given: AnyReport, bytes: boolean): Generator<Chunk> {
  const report = evaluatedReport(given);
  const marker = '\u0000findings\u0000';
  const [head, tail] = JSON.stringify({ ...report, findings: marker }, null, 2).split(JSON.stringify(marker)) as [string, string];
  yield head;
  const n = report.findings.length;
  if (n === 0) yield '[]';
  else {
    yield '[\n';
    // Inside the top-level object the array's items sit 4 spaces in (reportJsonText). A store
    // gives the array's body as it keeps it: a spilled one, its file as it is (findings/store.ts).
    const body = report.findings instanceof FindingStore ? (bytes ? (report.findings.reportJsonBodyBytes() ?? report.findings.reportJsonBody()) : report.findings.reportJsonBody()) : null;
    if (body) yield* body;
    else {
      let i = 0;
      for (const f of report.findings) yield `${i++ ? ',\n' : ''}${reportJsonText(f)}`;
    }
    yield '\n  ]';
  }
  yield `${tail}\n`;
}

export const jsonFormat: ReportFormat = {
  name: 'json',
  file: 'report.json',
  render: ({ report }) => reportJsonFileChunks(evaluatedReport(report)),
};
