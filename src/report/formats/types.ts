// What every report format receives. report.json is the contract; the other formats derive from
// it, with the snapshot (coverage, OU tree) and the evaluated rules (help text) for context.
import type { Rule } from '../../engine/load.js';
import type { FindingCollector } from '../../findings/store.js';
import type { Snapshot } from '../../inventory/schema.js';
import { capStrings } from '../../util/cap-text.js';
import type { History } from '../history.js';
import { evaluatedReport, materialize, type AnyReport, type Report } from '../report.js';

export interface RenderInput {
  /**
   * A run's report (its findings a FindingSource: iterated, perhaps read back from a spill file,
   * never indexed) or a parsed report.json; formats read it through evaluatedReport().
   */
  report: AnyReport;
  snapshot: Snapshot;
  /** The rules that were evaluated (after config switches and --framework). */
  rules: Rule[];
  /** --history: earlier runs' scores with this run last, and the diff from the previous run. */
  history?: History;
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
  /**
   * Files written beside `file` (compliance: one per framework). `names` lists every file the
   * format may write in any run, so an older set's files go with it when this run writes fewer.
   */
  extraFiles?: { names(): readonly string[]; render(input: RenderInput): [file: string, text: Rendered][] };
  /**
   * The format sorts or groups every finding, so it holds them all while it renders (csv, asff,
   * ocsf, junit): a run that writes it keeps its findings in memory rather than spilling them
   * (a spilled finding read back is a copy of its own, evidence and all).
   */
  holdsFindings?: boolean;
  /**
   * What the format keeps of every finding, built while a run evaluates them (FindingStore's
   * collectors) instead of read back from the spilled findings when it renders (report.html's rows).
   */
  collect?(context: CollectContext): FindingCollector;
}

/** What a format's collector knows before the first finding. */
export interface CollectContext {
  snapshot: Snapshot;
  /** The rules that are evaluated, as RenderInput.rules will hold them. */
  rules: Rule[];
}

/**
 * A piece of a rendered file: text, or UTF-8 bytes as they are to be written (report.json's
 * findings copied from the spill file, gigabytes at 10,000 accounts, are never decoded and
 * encoded again). A byte chunk may end inside a character that the next byte chunk completes, and
 * is only valid until the next chunk is asked for (its buffer is filled again): write, hash or
 * decode each as it comes (chunkTexts), never collect them.
 */
export type Chunk = string | Uint8Array;

export type Rendered = string | Iterable<Chunk>;

/** The rendered file as chunks, whichever way the format produced it. */
export async function renderChunks(format: ReportFormat, input: RenderInput): Promise<Iterable<Chunk>> {
  const r = await format.render(capped(input));
  return typeof r === 'string' ? [r] : r;
}

/** Chunks as text, in order: byte chunks decoded as one stream. */
export function* chunkTexts(chunks: Iterable<Chunk>): Generator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const chunk of chunks) {
    if (typeof chunk === 'string') {
      const rest = decoder.decode();
      if (rest) yield rest;
      yield chunk;
    } else yield decoder.decode(chunk, { stream: true });
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

/** The rendered text as one string (for comparing and measuring; writing should use the chunks). */
export async function renderText(format: ReportFormat, input: RenderInput): Promise<string> {
  const r = await format.render(capped(input));
  return typeof r === 'string' ? r : [...chunkTexts(r)].join('');
}

/** The extra files of a format (see ReportFormat.extraFiles), rendered from the capped input. */
export function renderExtraFiles(format: ReportFormat, input: RenderInput): [file: string, chunks: Iterable<Chunk>][] {
  return (format.extraFiles?.render(capped(input)) ?? []).map(([file, r]) => [file, typeof r === 'string' ? [r] : r]);
}

/**
 * The report with its findings in memory, for the formats that sort or group every finding
 * (csv, asff, ocsf, junit): they hold them while they render, unlike json and html.
 */
export function inMemory(report: AnyReport): Report {
  return materialize(report);
}

/** The report with only its FAIL, ERROR and NOT_APPLICABLE findings (what markdown and sarif show). */
export function notableOnly(report: AnyReport): Report {
  const findings: Report['findings'] = [];
  for (const f of evaluatedReport(report).findings) if (f.status !== 'PASS') findings.push(f);
  return { ...report, findings };
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
