// --format compliance: one CSV per framework, a row per control x account, NOT_COVERED rows for
// the controls no rule checks, formula-safe cells; and only the chosen framework under --framework.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluateSnapshot, prepare, writeReports } from '../../src/core/pipeline.js';
import { frameworkCatalogue } from '../../src/report/frameworks.js';
import { ALL_ACCOUNTS, COMPLIANCE_COLUMNS, renderComplianceFiles } from '../../src/report/formats/compliance.js';
import { renderText, reportFormat } from '../../src/report/formats/index.js';
import { applyOverlay, baseSnapshot, EVALUATION_NOW } from '../harness/fixture.js';
import { evaluatedFixture, HOSTILE_ACCOUNT_NAME, MINUS_ACCOUNT_NAME, OVERLAY } from './formats-fixture.js';

/** RFC 4180 reader, strict enough to fail on a malformed file. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else cell += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} in an unquoted field at ${i}`);
        cell += text[i++];
      }
    }
    row.push(cell);
    if (text[i] === ',') i++;
    else if (text.startsWith('\r\n', i)) {
      rows.push(row);
      row = [];
      i += 2;
    } else if (i < text.length) throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  if (row.length) throw new Error('the last record does not end with CRLF');
  return rows;
}

const outcome = await evaluatedFixture();
const col = (name: (typeof COMPLIANCE_COLUMNS)[number]) => COMPLIANCE_COLUMNS.indexOf(name);
const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('compliance CSVs', () => {
  const files = renderComplianceFiles(outcome);

  it('writes one file per framework of the control lists', () => {
    expect(files.map(([f]) => f).sort()).toEqual([...frameworkCatalogue().keys()].map((fw) => `report.compliance.${fw}.csv`).sort());
  });

  it('validates: the header, a full row each, one row per control x account, one NOT_COVERED row per unchecked control', () => {
    const accounts = [...new Set(outcome.report.findings.map((f) => f.accountId).concat(outcome.report.accounts.map((a) => a.id)))];
    for (const [file, text] of files) {
      const [header, ...rows] = parseCsv(text);
      expect(header).toEqual([...COMPLIANCE_COLUMNS]);
      for (const r of rows) expect(r, file).toHaveLength(COMPLIANCE_COLUMNS.length);
      const fw = file.replace(/^report\.compliance\.(.*)\.csv$/, '$1');
      expect(new Set(rows.map((r) => r[col('framework')]))).toEqual(new Set([fw]));
      const list = frameworkCatalogue().get(fw)!;
      // Every listed control appears: none silently dropped.
      expect(new Set(rows.map((r) => r[col('control_id')]))).toEqual(new Set(list.controls.map((c) => c.id)));
      const keys = rows.map((r) => `${r[col('control_id')]} ${r[col('account_id')]}`);
      expect(new Set(keys).size, `${file}: a control x account pair twice`).toBe(keys.length);
      const notCovered = rows.filter((r) => r[col('status')] === 'NOT_COVERED');
      expect(notCovered.map((r) => r[col('control_id')]).sort()).toEqual(list.controls.filter((c) => c.notCovered).map((c) => c.id).sort());
      for (const r of notCovered) {
        expect(r[col('account_id')]).toBe(ALL_ACCOUNTS);
        expect(r[col('not_covered_reason')]).not.toBe('');
        expect(r[col('rules')]).toBe('');
      }
      for (const c of list.controls.filter((x) => !x.notCovered)) {
        const own = rows.filter((r) => r[col('control_id')] === c.id);
        expect(own.map((r) => r[col('account_id')]).sort(), `${file} ${c.id}`).toEqual([...accounts].sort());
        expect(own.every((r) => r[col('control_title')] === c.title && r[col('rules')] !== '')).toBe(true);
      }
      for (const r of rows) expect(['PASS', 'FAIL', 'ERROR', 'NOT_APPLICABLE', 'NO_FINDINGS', 'NOT_COVERED']).toContain(r[col('status')]);
    }
  });

  it('counts findings per account and derives the status from them (FAIL, then ERROR, then PASS)', () => {
    const cis = parseCsv(files.find(([f]) => f === 'report.compliance.cis-aws-v3.0.0.csv')![1]).slice(1);
    const row = (control: string, account: string) => cis.find((r) => r[col('control_id')] === control && r[col('account_id')] === account)!;
    // The overlay turns log file validation off on the organization trail (owned by 111111111111).
    expect(row('3.2', '111111111111')).toEqual(expect.arrayContaining(['FAIL', 'trail-log-file-validation']));
    expect(Number(row('3.2', '111111111111')[col('failing')])).toBeGreaterThan(0);
    // The management account's metric filters could not be read: every monitoring control is ERROR there.
    expect(row('4.1', '111111111111')[col('status')]).toBe('ERROR');
    for (const r of cis) {
      const [fail, error, pass] = ['failing', 'erroring', 'passing'].map((c) => Number(r[col(c as 'failing')]));
      const expected = fail ? 'FAIL' : error ? 'ERROR' : pass ? 'PASS' : null;
      if (expected) expect(r[col('status')]).toBe(expected);
    }
  });

  it('neutralizes hostile account names as report.csv does', () => {
    for (const [, text] of files) {
      const rows = parseCsv(text).slice(1);
      expect(rows.some((r) => r[col('account_name')] === `'${HOSTILE_ACCOUNT_NAME}`)).toBe(true);
      expect(rows.some((r) => r[col('account_name')] === `'${MINUS_ACCOUNT_NAME}`)).toBe(true);
      for (const r of rows) for (const cell of r) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('renders every framework into report.compliance.csv (the library\'s one-string form)', async () => {
    const text = await renderText(reportFormat('compliance')!, outcome);
    const all = parseCsv(text);
    expect(all.length - 1).toBe(files.reduce((n, [, t]) => n + parseCsv(t).length - 1, 0));
  });

  it('writes only the chosen framework\'s CSV under --framework, and retires the others of an older run', async () => {
    const out = await mkdtemp(join(tmpdir(), 'tw-compliance-'));
    dirs.push(out);
    await writeFile(join(out, 'report.compliance.nist-800-53-r5.csv'), 'old');
    const prepared = await prepare({ framework: 'cis-aws-v3.0.0', format: ['compliance'] }, process.cwd());
    const one = evaluateSnapshot(applyOverlay(baseSnapshot(), OVERLAY), prepared, 'cis-aws-v3.0.0', EVALUATION_NOW);
    await writeReports(out, one, prepared.formats);
    const names = (await readdir(out)).filter((n) => n.startsWith('report.compliance'));
    expect(names.sort()).toEqual(['report.compliance.cis-aws-v3.0.0.csv', 'report.compliance.csv']);
    const rows = parseCsv(await readFile(join(out, 'report.compliance.cis-aws-v3.0.0.csv'), 'utf8')).slice(1);
    expect(new Set(rows.map((r) => r[col('framework')]))).toEqual(new Set(['cis-aws-v3.0.0']));
  });
});
