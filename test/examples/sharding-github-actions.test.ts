// examples/sharding/github-actions.yml: checked as actionlint would (test/harness/workflow-lint.ts)
// and run. The matrix's scan jobs run one process per shard with the workflow's own run steps
// (expressions substituted as GitHub does before the shell starts); the merge job fetches their
// artifacts, merges, evaluates, hands SARIF to code scanning and gates. AWS is the synthetic
// endpoint on loopback, reached through AWS_ENDPOINT_URL. What the test does not have is
// GitHub's runner: actions/setup-node and the `npm install --global trailwarden` step are what
// the test's PATH already provides (trailwarden from the source tree), configure-aws-credentials
// is the endpoint's test keys, and the artifact actions copy files as the actions lay them out.
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadSnapshot } from '../../src/inventory/load.js';
import { shardOf } from '../../src/shard/assign.js';
import { audited, findingsOf, runStep, startShardBench, stepEnv, type ShardBench } from '../harness/engine-run.js';
import { assertValidSnapshot } from '../harness/scan-run.js';
import { lintWorkflow } from '../harness/workflow-lint.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FILE = `${ROOT}examples/sharding/github-actions.yml`;

interface Step { id?: string; name?: string; if?: string; uses?: string; run?: string; with?: Record<string, string | number>; env?: Record<string, string> }
interface Job { needs?: string | string[]; strategy?: { matrix: Record<string, unknown[]> }; env?: Record<string, string>; steps: Step[] }
interface Workflow { env?: Record<string, string>; jobs: Record<string, Job> }

const text = readFileSync(FILE, 'utf8');
const workflow = parse(text) as Workflow;

/** GitHub's default shell on Linux runners. */
const BASH = ['bash', '--noprofile', '--norc', '-eo', 'pipefail', '-c'];
/** Steps the runner's environment stands for (see the header). */
const PROVIDED = (s: Step) => s.uses?.startsWith('actions/setup-node@') || s.uses?.startsWith('aws-actions/configure-aws-credentials@') || /^npm install --global "trailwarden@/.test(s.run ?? '');

describe('the sharded GitHub Actions workflow', () => {
  it('passes the actionlint-style check: keys, needs, matrix, steps, action inputs, expressions, bash', () => {
    expect(lintWorkflow(workflow)).toEqual([]);
  });

  it('the check really checks: an unknown matrix key, a missing need, a step output nobody writes, a misspelt input and bad bash are each named', () => {
    const broken = parse(
      text
        .replace('--shard "${{ matrix.shard }}/', '--shard "${{ matrix.shards }}/')
        .replace('needs: scan ', 'needs: scna ')
        .replace("steps.evaluate.outputs.exit-code != '2'", "steps.evaluate.outputs.exitcode != '2'")
        .replace('sarif_file: report/report.sarif', 'sarif-file: report/report.sarif')
        .replace('case "$code" in 0|1|3) ;; *) exit "$code" ;; esac', 'case "$code" in 0|1|3) ;; *) exit "$code" ;;'),
    );
    const problems = lintWorkflow(broken);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^jobs\.scan\.steps\[3\] \(Scan shard .*\)\.run: matrix\.shards is not a key of the job's matrix \(shard\)$/),
        'jobs.merge: needs "scna", which is not another job of the workflow',
        expect.stringMatching(/^jobs\.merge\.steps\[6\] \(Upload SARIF to code scanning\)\.if: step evaluate writes no output "exitcode"$/),
        'jobs.merge.steps[6] (Upload SARIF to code scanning): github/codeql-action/upload-sarif has no input "sarif-file"',
        'jobs.merge.steps[6] (Upload SARIF to code scanning): github/codeql-action/upload-sarif needs input "sarif_file"',
        expect.stringMatching(/^jobs\.scan\.steps\[3\] \(Scan shard .*\): run is not valid bash: /),
      ]),
    );
    expect(problems).toHaveLength(6);
  });

  it('shards by its matrix: shard is the matrix\'s only key, 1..N, so strategy.job-total is N', () => {
    const matrix = workflow.jobs.scan!.strategy!.matrix;
    expect(Object.keys(matrix)).toEqual(['shard']);
    expect(matrix.shard).toEqual(matrix.shard!.map((_, i) => i + 1));
    expect(workflow.jobs.merge!.needs).toBe('scan');
  });
});

/** A minimal runner for this workflow's jobs: run steps through bash, the artifact actions as file copies. */
class Runner {
  failed = false;
  lastExit = 0;
  readonly outputs = new Map<string, Record<string, string>>();
  constructor(
    private readonly bench: ShardBench,
    private readonly workspace: string,
    private readonly artifacts: string,
    private readonly context: { matrix?: Record<string, string>; strategy?: Record<string, string> },
  ) {
    mkdirSync(workspace, { recursive: true });
  }

  /** ${{ }} replaced as GitHub does before the step runs; an expression this runner does not know fails the test. */
  expand(value: string): string {
    return value.replace(/\$\{\{\s*([\s\S]*?)\s*\}\}/g, (_, expr: string) => {
      const [ctx, key, ...rest] = expr.split('.');
      if (ctx === 'matrix' && this.context.matrix?.[key!] !== undefined) return this.context.matrix[key!]!;
      if (ctx === 'strategy' && this.context.strategy?.[key!] !== undefined) return this.context.strategy[key!]!;
      if (ctx === 'steps' && rest[0] === 'outputs') return this.outputs.get(key!)?.[rest[1]!] ?? '';
      throw new Error(`the test runner cannot evaluate \${{ ${expr} }}`);
    });
  }

  /** The `if:` forms the workflow uses: success() by default, always(), and && of output comparisons. */
  shouldRun(condition: string | undefined): boolean {
    if (condition === undefined) return !this.failed;
    let always = false;
    const results = condition.split('&&').map((part) => {
      const p = part.trim();
      if (p === 'always()') return (always = true);
      const m = /^steps\.([\w-]+)\.outputs\.([\w-]+)\s*(==|!=)\s*'([^']*)'$/.exec(p);
      if (!m) throw new Error(`the test runner cannot evaluate if: ${condition}`);
      const value = this.outputs.get(m[1]!)?.[m[2]!] ?? '';
      return m[3] === '==' ? value === m[4] : value !== m[4];
    });
    return (always || !this.failed) && results.every(Boolean);
  }

  async run(job: Job, env: Record<string, string>): Promise<string[]> {
    const log: string[] = [];
    for (const [i, step] of job.steps.entries()) {
      if (PROVIDED(step) || !this.shouldRun(step.if)) continue;
      const withs = Object.fromEntries(Object.entries(step.with ?? {}).map(([k, v]) => [k, this.expand(String(v))]));
      if (step.run !== undefined) {
        const outputFile = join(this.workspace, `.output-${i}`);
        writeFileSync(outputFile, '');
        const r = await runStep(BASH, this.expand(step.run), [], stepEnv(this.bench.endpoint.url, this.bench.bin, {
          ...env,
          ...(step.env ?? {}),
          GITHUB_OUTPUT: outputFile,
          GITHUB_STEP_SUMMARY: join(this.workspace, '.step-summary.md'),
        }), this.workspace);
        log.push(`${step.name ?? step.run.slice(0, 40)}: exit ${r.code}${r.code ? `\n${r.stderr}` : ''}`);
        if (step.id) this.outputs.set(step.id, Object.fromEntries(readFileSync(outputFile, 'utf8').split('\n').filter(Boolean).map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string])));
        if (r.code !== 0) {
          this.failed = true;
          this.lastExit = r.code;
        }
      } else if (step.uses!.startsWith('actions/upload-artifact@')) {
        // One file: the artifact holds it at its root; several paths: each kept under its own name.
        const paths = withs.path!.split('\n').map((p) => p.trim()).filter(Boolean);
        const target = join(this.artifacts, withs.name!);
        mkdirSync(target, { recursive: true });
        for (const p of paths) {
          const from = join(this.workspace, p);
          if (!existsSync(from)) throw new Error(`upload-artifact: ${p} does not exist (if-no-files-found)`);
          cpSync(from, paths.length === 1 ? join(target, basename(p)) : join(target, p), { recursive: true });
        }
        log.push(`upload-artifact ${withs.name}`);
      } else if (step.uses!.startsWith('actions/download-artifact@')) {
        // A pattern without merge-multiple: each artifact in a directory named after it.
        const pattern = new RegExp(`^${withs.pattern!.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
        for (const name of readdirSync(this.artifacts).filter((n) => pattern.test(n))) cpSync(join(this.artifacts, name), join(this.workspace, withs.path!, name), { recursive: true });
        log.push(`download-artifact ${withs.pattern}`);
      } else if (step.uses!.startsWith('github/codeql-action/upload-sarif@')) {
        const sarif = JSON.parse(readFileSync(join(this.workspace, withs.sarif_file!), 'utf8')) as { version: string; runs: { tool: { driver: { name: string } } }[] };
        if (sarif.version !== '2.1.0' || sarif.runs[0]?.tool.driver.name !== 'trailwarden') throw new Error(`upload-sarif: ${withs.sarif_file} is not trailwarden's SARIF 2.1.0`);
        log.push(`upload-sarif ${withs.sarif_file} (${withs.category})`);
      } else {
        throw new Error(`the test runner has no stand-in for ${step.uses}`);
      }
    }
    return log;
  }
}

describe('the sharded workflow, run', () => {
  let bench: ShardBench;
  let artifacts: string;
  let merge: Runner;
  let mergeLog: string[];
  const shards = (workflow.jobs.scan!.strategy!.matrix.shard as number[]).map(String);

  beforeAll(async () => {
    bench = await startShardBench(['--role-name', 'TrailwardenAudit']);
    artifacts = join(bench.work, 'artifacts');
    mkdirSync(artifacts);
    const env = { ...workflow.env };
    // The matrix's jobs run at once, each in its own workspace.
    const scans = shards.map((shard, i) => new Runner(bench, join(bench.work, `scan-${shard}`), artifacts, { matrix: { shard }, strategy: { 'job-index': String(i), 'job-total': String(shards.length) } }));
    const logs = await Promise.all(scans.map((r) => r.run(workflow.jobs.scan!, { ...env, ...workflow.jobs.scan!.env })));
    for (const [i, r] of scans.entries()) expect(r.failed, logs[i]!.join('\n')).toBe(false);
    merge = new Runner(bench, join(bench.work, 'merge'), artifacts, {});
    mergeLog = await merge.run(workflow.jobs.merge!, { ...env, ...workflow.jobs.merge!.env });
  }, 300_000);

  afterAll(async () => {
    await bench?.stop();
  });

  it('each matrix job uploads the snapshot of its shard, scanning only its own accounts', async () => {
    expect(readdirSync(artifacts).sort()).toEqual([...shards.map((k) => `shard-${k}`), 'trailwarden-report'].sort());
    for (const k of shards) {
      const s = await loadSnapshot(join(artifacts, `shard-${k}`, 'snapshot.json'));
      assertValidSnapshot(s);
      expect(s.shard).toEqual({ index: Number(k), count: shards.length });
      for (const a of s.accounts.filter((x) => x.status !== 'skipped')) expect(shardOf(a.id, shards.length)).toBe(Number(k));
    }
  });

  it('the merge job merges the artifacts into the unsharded scan\'s snapshot and evaluates it as the unsharded scan evaluates', async () => {
    const merged = await loadSnapshot(join(bench.work, 'merge', 'merged', 'snapshot.json'));
    assertValidSnapshot(merged);
    expect(audited(merged)).toEqual(audited(bench.whole));
    expect(findingsOf(join(bench.work, 'merge', 'report', 'report.json'))).toEqual(bench.wholeEvaluation.findings);
    expect(merge.outputs.get('evaluate')).toEqual({ 'exit-code': String(bench.wholeEvaluation.code) });
  });

  it('uploads the SARIF to code scanning, keeps the reports, and gates with the evaluation\'s exit code', () => {
    expect(mergeLog).toContain('upload-sarif report/report.sarif (trailwarden)');
    expect(readdirSync(join(artifacts, 'trailwarden-report')).sort()).toEqual(['merged', 'report']);
    expect(readFileSync(join(bench.work, 'merge', '.step-summary.md'), 'utf8')).toBe(readFileSync(join(bench.work, 'merge', 'report', 'report.md'), 'utf8'));
    // The Gate step is the job's last: it fails the run exactly when the evaluation's gate did.
    expect(merge.failed).toBe(bench.wholeEvaluation.code !== 0);
    expect(merge.lastExit).toBe(bench.wholeEvaluation.code);
  });
});
