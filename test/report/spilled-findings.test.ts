// A run whose findings are spilled to disk (findings/store.ts; a large organization's) writes the
// same reports, byte for byte, as one that holds them in memory: the demo organization, evaluated
// both ways and rendered in every format that reads spilled findings, with waivers and --status,
// --framework and --history too. The spill directory is gone once the outcome is disposed, and the
// gate judges every finding either way.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSnapshot } from '../../src/inventory/load.js';
import { evaluateSnapshot, gate, prepare, spillDirFor, type EvaluationFlags } from '../../src/core/pipeline.js';
import { chunkTexts, renderChunks, renderExtraFiles, reportFormat } from '../../src/report/formats/index.js';
import type { RenderInput } from '../../src/report/formats/index.js';
import { reportJsonChunks } from '../../src/report/formats/json.js';
import { FindingStore, notableOf } from '../../src/findings/store.js';
import { PageFindings } from '../../src/report/formats/html-view.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const DEMO = join(ROOT, 'demo/snapshot.json');
const STREAMING = ['json', 'html', 'md', 'sarif', 'compliance'];
const scratch = mkdtempSync(join(tmpdir(), 'trailwarden-spill-test-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function rendered(input: RenderInput, formats: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of formats) {
    const format = reportFormat(name)!;
    out[format.file] = [...chunkTexts(await renderChunks(format, input))].join('');
    for (const [file, chunks] of renderExtraFiles(format, input)) out[file] = [...chunks].join('');
  }
  return out;
}

async function bothWays(flags: EvaluationFlags) {
  const prepared = await prepare({ format: STREAMING, ...flags }, ROOT);
  const snapshot = await loadSnapshot(DEMO);
  const now = new Date(snapshot.finishedAt);
  const held = evaluateSnapshot(snapshot, prepared, flags.framework, now);
  const dir = mkdtempSync(join(scratch, 'out-'));
  const spilled = evaluateSnapshot(snapshot, prepared, flags.framework, now, { spillDir: dir, holdUpTo: 0 });
  return { prepared, snapshot, held, spilled, dir };
}

describe('spilled findings', () => {
  it('give the same reports as findings held in memory, in every format that reads them back', async () => {
    const { held, spilled, dir } = await bothWays({});
    expect(held.report.findings.length).toBeGreaterThan(500);
    expect(readdirSync(dir).filter((n) => n.startsWith('.trailwarden-findings-'))).toHaveLength(1);
    // The spilled run's page rows were built as its findings were evaluated, none read back for them.
    expect((spilled.report.findings as FindingStore).collected('html')).toBeInstanceOf(PageFindings);
    const a = await rendered(held, STREAMING);
    const b = await rendered(spilled, STREAMING);
    expect(Object.keys(b).length).toBeGreaterThan(STREAMING.length);
    for (const file of Object.keys(a)) expect(b[file], file).toBe(a[file]);
    // report.json of the spilled run is the in-memory report, serialized as JSON.stringify would.
    expect(JSON.parse([...reportJsonChunks(spilled.report)].join(''))).toEqual(JSON.parse(JSON.stringify({ ...held.report, findings: [...held.report.findings] })));
    spilled.dispose();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('give the same reports and the same gate with waivers, --status and --framework', async () => {
    const waivers = join(ROOT, 'examples/waivers.yaml');
    for (const flags of [{ waivers, status: ['FAIL', 'ERROR'] }, { framework: 'cis-aws-v3.0.0' }] as EvaluationFlags[]) {
      const { snapshot, held, spilled } = await bothWays(flags);
      const a = await rendered(held, STREAMING);
      const b = await rendered(spilled, STREAMING);
      for (const file of Object.keys(a)) expect(b[file], `${file} ${JSON.stringify(flags)}`).toBe(a[file]);
      // --status leaves PASS out of the reports; the gate still judges every finding.
      const verdict = (findings: readonly unknown[]) => gate({ findings: findings as never }, snapshot, 'medium', false, null);
      expect(verdict(spilled.notable)).toEqual(verdict(held.findings));
      expect(spilled.notable).toEqual(held.findings.filter((f) => f.status !== 'PASS').map(notableOf));
      spilled.dispose();
    }
  });

  it('give the same trend and diff with --history', async () => {
    const history = mkdtempSync(join(scratch, 'history-'));
    const first = await bothWays({});
    const earlier = { ...first.held.report, findings: first.held.report.findings.map((f, i) => (i % 9 ? f : { ...f, status: 'FAIL' as const })), generatedAt: '2026-01-01T00:00:00.000Z' };
    writeFileSync(join(history, 'earlier.json'), JSON.stringify(earlier));
    first.spilled.dispose();
    const { held, spilled } = await bothWays({ history });
    expect(spilled.history?.previous?.diff).toEqual(held.history?.previous?.diff);
    expect(held.history?.previous?.diff.resolved.length).toBeGreaterThan(0);
    const a = await rendered(held, ['html', 'md']);
    const b = await rendered(spilled, ['html', 'md']);
    for (const file of Object.keys(a)) expect(b[file], file).toBe(a[file]);
    spilled.dispose();
  });

  it('are not spilled when a format that holds every finding is written (csv, asff, ocsf, junit)', () => {
    expect(spillDirFor('/out', ['json', 'html', 'md', 'sarif', 'compliance'])).toBe('/out');
    for (const f of ['csv', 'asff', 'ocsf', 'junit']) expect(spillDirFor('/out', ['json', 'html', f])).toBeUndefined();
  });
});
