// The CI examples (examples/ci/*.yml) and the docs must only use what the CLI has: every
// `trailwarden <command>` they run is parsed, and each flag must appear in that command's --help,
// each --format name in the format registry. So the docs cannot drift from the CLI.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REPORT_FORMATS } from '../../src/report/formats/index.js';
import { cli } from '../harness/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLES = `${ROOT}examples/ci/`;
const exampleFiles = readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f)).sort();
/** The code blocks of the README and of every page under docs/ are checked as well. */
const DOC_PAGES = ['README.md', ...readdirSync(`${ROOT}docs`).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

interface Invocation { where: string; command: string; args: string[] }

function strings(node: unknown): string[] {
  if (typeof node === 'string') return [node];
  if (Array.isArray(node)) return node.flatMap(strings);
  if (node && typeof node === 'object') return Object.values(node).flatMap(strings);
  return [];
}

const SUBCOMMANDS: Record<string, string[]> = { rules: ['list', 'validate', 'docs'] };

/** Every `trailwarden <command> ...` in a shell text, up to the end of its shell command. */
function invocations(text: string, where: string): Invocation[] {
  const found: Invocation[] = [];
  const lines = text.replace(/\\\n/g, ' ').replace(/\n(?=\s*--)/g, ' ').split('\n');
  // One shell command per segment: split at separators, drop redirections.
  for (const segment of lines.flatMap((l) => l.split(/;|&&|\|\|?/))) {
    const m = /\btrailwarden(?:@[^\s"']+)?["']?[ \t]+([a-z][a-z-]*)(.*)/.exec(segment.split(/(?:^|\s)\d?>/)[0]!);
    if (!m) continue;
    let command = m[1]!;
    let args = m[2]!.trim().split(/\s+/).filter(Boolean);
    if (SUBCOMMANDS[command]?.includes(args[0] ?? '')) {
      command = `${command} ${args[0]}`;
      args = args.slice(1);
    }
    found.push({ where, command, args });
  }
  return found;
}

/** The flags `trailwarden <command> --help` lists; null when there is no such command. */
async function helpFlags(command: string): Promise<Set<string> | null> {
  const run = await cli([...command.split(' '), '--help']);
  if (run.code !== 0 || !run.stdout.startsWith(`Usage: trailwarden ${command} `)) return null;
  return new Set([...run.stdout.matchAll(/^\s+(?:-\w, )?(--[a-z][\w-]*)/gm)].map((m) => m[1]!));
}

async function problemsIn(found: Invocation[]): Promise<string[]> {
  const formats = new Set(REPORT_FORMATS.map((f) => f.name));
  const problems: string[] = [];
  for (const inv of found) {
    const flags = await helpFlags(inv.command);
    if (!flags) {
      problems.push(`${inv.where}: trailwarden ${inv.command} is not a command`);
      continue;
    }
    inv.args.forEach((arg, i) => {
      if (!arg.startsWith('--')) return;
      const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
      if (!flags.has(flag)) problems.push(`${inv.where}: trailwarden ${inv.command} has no ${flag}`);
      if (flag === '--format') {
        for (const name of (inline ?? inv.args[i + 1] ?? '').replace(/[^\w,-]/g, '').split(',')) {
          if (!formats.has(name)) problems.push(`${inv.where}: --format ${name} is not a registered format`);
        }
      }
    });
  }
  return problems;
}

function exampleInvocations(): Invocation[] {
  const all = exampleFiles.flatMap((f) => invocations(strings(parse(readFileSync(EXAMPLES + f, 'utf8'))).join('\n'), `examples/ci/${f}`));
  for (const page of DOC_PAGES) {
    const doc = readFileSync(ROOT + page, 'utf8');
    for (const block of doc.matchAll(/```[a-z]*\n([\s\S]*?)```/g)) all.push(...invocations(block[1]!, page));
  }
  return all;
}

describe('CI examples and the code blocks of README.md and docs/', () => {
  it('are valid YAML with the pieces docs/ci.md promises', () => {
    expect(exampleFiles).toEqual(['buildspec.yml', 'github-actions.yml', 'gitlab-ci.yml']);
    const gh = parse(readFileSync(`${EXAMPLES}github-actions.yml`, 'utf8'));
    const steps = gh.jobs.audit.steps as { uses?: string; run?: string; with?: Record<string, string> }[];
    expect(gh.permissions).toMatchObject({ 'id-token': 'write', 'security-events': 'write' });
    expect(gh.on.schedule[0].cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(steps.find((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'))?.with?.['role-to-assume']).toBeTruthy();
    expect(steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif@'))?.with?.sarif_file).toBe('trailwarden-report/report.sarif');
    expect(steps.some((s) => s.run?.includes('trailwarden-report/report.md >> "$GITHUB_STEP_SUMMARY"'))).toBe(true);
    const gl = parse(readFileSync(`${EXAMPLES}gitlab-ci.yml`, 'utf8'));
    expect(gl['cloudtrail-audit'].artifacts.reports.junit).toBe('trailwarden-report/report.junit.xml');
    const cb = parse(readFileSync(`${EXAMPLES}buildspec.yml`, 'utf8'));
    expect(cb.reports.trailwarden).toMatchObject({ 'file-format': 'JUNITXML', 'base-directory': 'trailwarden-report' });
  });

  it('run trailwarden with flags that exist and formats that are registered', async () => {
    const found = exampleInvocations();
    expect(found.length).toBeGreaterThanOrEqual(exampleFiles.length);
    const where = new Set(found.map((i) => i.where));
    for (const f of [...exampleFiles.map((e) => `examples/ci/${e}`), 'docs/ci.md', 'docs/deploy.md', 'README.md']) expect(where).toContain(f);
    expect(await problemsIn(found)).toEqual([]);
  });

  it('the check catches an unknown command, an unknown flag and an unknown format', async () => {
    const probe = invocations('npx trailwarden scan --no-such-flag x --format json,pdf; c=$? && trailwarden scna --out r > log', 'probe');
    expect(probe.map((i) => [i.command, i.args])).toEqual([['scan', ['--no-such-flag', 'x', '--format', 'json,pdf']], ['scna', ['--out', 'r']]]);
    expect(await problemsIn(probe)).toEqual([
      'probe: trailwarden scan has no --no-such-flag',
      'probe: --format pdf is not a registered format',
      'probe: trailwarden scna is not a command',
    ]);
  });
});
