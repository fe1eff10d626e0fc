// The package as people get it: `npm pack`, the tarball installed into a scratch project with
// runtime dependencies only, then the installed bin run, the library imported from plain ESM, and
// its types checked from TypeScript (docs/library.md). The package is packed from a copy of the
// checkout's files (tracked and new, not ignored), so the build that `npm pack` runs (prepare)
// writes a fresh dist/ there: nothing stale from this checkout's dist/ is shipped, and the
// checkout's dist/ is not rewritten under other runs.
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_FORMAT_FILES, REPORT_FORMATS_AVAILABLE } from '../../src/index.js';
import { REPORT_FORMATS } from '../../src/report/formats/index.js';
import { startMoto } from '../harness/moto.js';

const exec = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
// npm and node of the Node running this test (the project-local Node 24), first on PATH.
const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' };
const run = (cmd: string, args: string[], cwd: string) => exec(cmd, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 });

let work: string;
let app: string;
let packed: { filename: string; files: { path: string }[] };
const timings: Record<string, number> = {};
async function timed<T>(name: string, f: () => Promise<T>): Promise<T> {
  const t = Date.now();
  try {
    return await f();
  } finally {
    timings[name] = (Date.now() - t) / 1000;
  }
}

describe('the published package', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'tw-pack-'));
    const src = join(work, 'src');
    const dest = join(work, 'pack');
    app = join(work, 'app');
    mkdirSync(dest);
    mkdirSync(app);
    const { stdout: listed } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT);
    for (const file of listed.split('\0').filter(Boolean)) {
      try {
        cpSync(join(ROOT, file), join(src, file), { recursive: false });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // deleted in the work tree, not yet in the index
      }
    }
    // The build (prepare) needs the dev dependencies; npm pack never packs node_modules.
    symlinkSync(join(ROOT, 'node_modules'), join(src, 'node_modules'), 'dir');
    const { stdout } = await timed('pack', () => run('npm', ['pack', '--json', '--pack-destination', dest], src));
    packed = (JSON.parse(stdout) as (typeof packed)[])[0]!;
    writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'scratch', private: true, type: 'module' })}\n`);
    await timed('install', () => run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', join(dest, packed.filename)], app));
  }, 240_000);

  afterAll(() => {
    console.log(`pack test timings (s): ${JSON.stringify(timings)}`);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships the bin, the compiled library with its types and the resources it reads, and no tests or sources', () => {
    const paths = packed.files.map((f) => f.path);
    for (const p of ['package.json', 'README.md', 'bin/trailwarden.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'demo/snapshot.json', 'templates/report.hbs', 'schemas/report.schema.json', 'rules/trail-log-file-validation.yaml']) {
      expect(paths, p).toContain(p);
    }
    expect(paths.filter((p) => /^(test|src|scripts|docs|deploy|examples)\//.test(p) || /\.test\.|\.ts$/.test(p.replace(/\.d\.ts$/, '')))).toEqual([]);
    // Only runtime dependencies were installed: no TypeScript, tsx or vitest in the scratch project.
    for (const dev of ['typescript', 'tsx', 'vitest']) expect(() => readFileSync(join(app, 'node_modules', dev, 'package.json')), dev).toThrow();
  });

  it('the installed bin runs: demo writes its reports, rules list lists the pack', async () => {
    const bin = join(app, 'node_modules', '.bin', 'trailwarden');
    const demo = await timed('demo', () => run(bin, ['demo', '--out', 'x'], app));
    expect(demo.stdout).toContain(join(app, 'x', 'report.html'));
    expect(demo.stderr).toMatch(/the demo itself exits 0/);
    expect(demo.stderr).not.toMatch(/Warning|deprecat/i);
    const report = JSON.parse(readFileSync(join(app, 'x', 'report.json'), 'utf8')) as { rulesPack: { rules: number } };
    const list = await run(bin, ['rules', 'list'], app);
    expect(list.stdout).toMatch(/^trail-log-file-validation\s+/m);
    expect(list.stdout.trim().split('\n').filter((l) => /^[a-z][a-z0-9-]+\s/.test(l))).toHaveLength(report.rulesPack.rules);
  });

  it('the library imported from plain ESM gives the report the CLI wrote, byte for byte', async () => {
    writeFileSync(
      join(app, 'api.mjs'),
      `import { readFileSync } from 'node:fs';
import { evaluate, loadBuiltInRules, loadSnapshot, renderReport, iamPolicy, gate, DEMO_SNAPSHOT_FILE, VERSION } from 'trailwarden';
const snapshot = await loadSnapshot(DEMO_SNAPSHOT_FILE);
const rules = await loadBuiltInRules();
const evaluation = evaluate(snapshot, rules, { now: new Date(snapshot.finishedAt) });
const json = await renderReport(evaluation, 'json');
const html = await renderReport(evaluation, 'html');
console.log(JSON.stringify({
  version: VERSION,
  rules: rules.rules.length,
  byStatus: evaluation.report.summary.byStatus,
  sameAsCli: json === readFileSync('x/report.json', 'utf8'),
  html: html.startsWith('<!doctype html>') || html.startsWith('<!DOCTYPE html>'),
  gate: gate(evaluation).code,
  policy: iamPolicy({ for: 'scanner', roleName: 'TrailwardenAudit' }).Version,
}));
`,
    );
    const { stdout } = await timed('api', () => run(process.execPath, ['api.mjs'], app));
    const out = JSON.parse(stdout) as Record<string, unknown>;
    const cli = JSON.parse(readFileSync(join(app, 'x', 'report.json'), 'utf8')) as { summary: { byStatus: unknown }; rulesPack: { rules: number }; tool: { version: string } };
    expect(out).toEqual({
      version: cli.tool.version,
      rules: cli.rulesPack.rules,
      byStatus: cli.summary.byStatus,
      sameAsCli: true,
      html: true,
      gate: 1, // the demo organization has high and critical FAILs: a real run would exit 1
      policy: '2012-10-17',
    });
  });

  it('scan through the library reads what the installed CLI scan reads (emulator, one account, logs verified)', async () => {
    const moto = await startMoto();
    try {
      const { AWS_PROFILE: _profile, AWS_SESSION_TOKEN: _token, ...rest } = env;
      const awsEnv = { ...rest, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'us-east-1' };
      writeFileSync(
        join(app, 'scan.mjs'),
        `import { evaluate, gate, loadBuiltInRules, scan } from 'trailwarden';
const snapshot = await scan({ roleName: 'OrganizationAccountAccessRole', regions: ['us-east-1'], endpointUrl: process.argv[2], verifyLogs: true });
const evaluation = evaluate(snapshot, await loadBuiltInRules());
console.log(JSON.stringify({ accounts: snapshot.accounts.length, complete: snapshot.complete, verified: snapshot.logIntegrity?.depth ?? null, byStatus: evaluation.report.summary.byStatus, gate: gate(evaluation).code }));
`,
      );
      const { stdout } = await timed('library scan', () => exec(process.execPath, ['scan.mjs', moto.endpoint], { cwd: app, env: awsEnv }));
      const library = JSON.parse(stdout) as { byStatus: unknown; gate: number };
      const bin = join(app, 'node_modules', '.bin', 'trailwarden');
      const args = ['scan', '--role-name', 'OrganizationAccountAccessRole', '--regions', 'us-east-1', '--endpoint-url', moto.endpoint, '--verify-logs', '--out', 'y', '--quiet'];
      const code = await timed('cli scan', () => exec(bin, args, { cwd: app, env: awsEnv }).then(() => 0, (e: { code: number }) => e.code));
      const cli = JSON.parse(readFileSync(join(app, 'y', 'report.json'), 'utf8')) as { summary: { byStatus: unknown } };
      expect(library).toEqual({ accounts: 1, complete: true, verified: 'logs', byStatus: cli.summary.byStatus, gate: code });
    } finally {
      await moto.stop();
    }
  }, 120_000);

  it('the types resolve from TypeScript (NodeNext) and are not any', async () => {
    writeFileSync(
      join(app, 'check.ts'),
      `import { evaluate, loadBuiltInRules, loadSnapshot, renderReport, iamPolicy, scan, diff, merge, verify, verifyTrailLogs, gate, DEMO_SNAPSHOT_FILE,
  type Snapshot, type Finding, type Report, type LogStream, type Evaluation, type ScanOptions } from 'trailwarden';

export const options: ScanOptions = { roleName: 'TrailwardenAudit', regions: ['us-east-1'], verifyLogs: { depth: 'digests' } };
export async function use(): Promise<number> {
  const snapshot: Snapshot = await loadSnapshot(DEMO_SNAPSHOT_FILE);
  const e: Evaluation = evaluate(snapshot, await loadBuiltInRules(), { now: new Date(snapshot.finishedAt) });
  const fails: Finding[] = e.findings.filter((f) => f.status === 'FAIL');
  const report: Report = e.report;
  const streams: LogStream[] = snapshot.logIntegrity?.streams ?? [];
  const html: string = await renderReport(e, 'html');
  const d = diff(report, report, { failOn: 'high' });
  const m = merge([snapshot]);
  const v = await verify('bundle', { expectedManifestSha256: '0'.repeat(64) });
  const p = iamPolicy({ for: 'scanner', roleName: 'TrailwardenAudit', withLogVerification: true });
  const logs = verifyTrailLogs({ trailArn: 'arn:aws:cloudtrail:us-east-1:111122223333:trail/t', depth: 'digests' });
  void scan; void logs;
  // @ts-expect-error: counts are numbers (this line would compile if the types were any)
  const wrong: string = report.summary.byStatus.PASS;
  // @ts-expect-error: not a format
  await renderReport(e, 'pdf');
  // @ts-expect-error: roleName is required
  await scan({});
  void wrong;
  return fails.length + streams.length + html.length + d.new.length + d.blocking.length + m.notes.length + v.problems.length + p.Statement.length + gate(e, { failOn: 'medium' }).code;
}
`,
    );
    // Type definitions for Node as any Node TypeScript project has them (the repo's; the scratch
    // project has no dev dependencies). skipLibCheck as most projects set it (checking the AWS
    // SDK's own .d.ts doubles the time); a broken import in the package's .d.ts would make its
    // types any, which the @ts-expect-error lines above catch.
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          lib: ['ES2023'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules', '@types')],
        },
        files: ['check.ts'],
      }),
    );
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    const result = await timed('tsc', () => run(tsc, ['-p', 'tsconfig.json'], app).then(() => '', (e: { stdout: string; stderr: string }) => `${e.stdout}${e.stderr}`));
    expect(result).toBe('');
  }, 120_000);
});

describe('the library entry point', () => {
  it('names every report format of the registry, with the file the CLI writes', () => {
    expect([...REPORT_FORMATS_AVAILABLE].sort()).toEqual(REPORT_FORMATS.map((f) => f.name).sort());
    for (const f of REPORT_FORMATS) expect(REPORT_FORMAT_FILES[f.name as keyof typeof REPORT_FORMAT_FILES]).toBe(f.file);
  });

  it('has TSDoc on every export', () => {
    const lines = readFileSync(join(ROOT, 'src', 'index.ts'), 'utf8').split('\n');
    const undocumented = lines.flatMap((line, i) => {
      if (!/^export (?:async )?(?:function|const|interface|type [A-Z]\w* =|class)/.test(line)) return [];
      return lines[i - 1]?.trimEnd().endsWith('*/') ? [] : [line];
    });
    expect(undocumented).toEqual([]);
  });
});
