// `trailwarden verify DIR`: exit 0 verified, 1 tampering or mismatch (every problem named),
// 2 when DIR is not an evidence bundle. Offline: no AWS call, no network.
import { resolve } from 'node:path';
import { verifyBundle, type VerifyResult } from '../../evidence/verify.js';
import { EXIT, UsageError } from '../../core/errors.js';
import type { CliIO } from '../io.js';

export interface VerifyFlags {
  manifestSha256?: string;
  json?: boolean;
}

export async function runVerify(dirArg: string, flags: VerifyFlags, io: CliIO): Promise<number> {
  if (flags.manifestSha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(flags.manifestSha256)) {
    throw new UsageError(`--manifest-sha256: "${flags.manifestSha256}" is not a SHA-256 (64 hex digits)`);
  }
  const result = await verifyBundle(resolve(io.cwd, dirArg), { expectedManifestSha256: flags.manifestSha256 });
  const code = !result.isBundle ? EXIT.usage : result.problems.length ? EXIT.gateFailed : EXIT.ok;
  if (flags.json) {
    io.stdout(`${JSON.stringify(toJson(result, code), null, 2)}\n`);
  } else {
    io.stdout(render(dirArg, result));
  }
  io.stderr(`trailwarden: ${verdictLine(dirArg, result, code)}\n`);
  return code;
}

function verdictLine(dir: string, r: VerifyResult, code: number): string {
  if (!r.isBundle) return `exit 2: ${r.problems[0]?.message ?? `${dir} is not an evidence bundle`}`;
  if (code === EXIT.ok) return `exit 0: ${dir} verified: intact since its manifest was written, and its reports are what its snapshot, rules and config give`;
  return `exit 1: ${dir} FAILED verification: ${r.problems.length} problem(s)`;
}

function render(dir: string, r: VerifyResult): string {
  if (!r.isBundle) return '';
  const lines = [`Evidence bundle ${dir}`];
  if (r.metadata) {
    const m = r.metadata;
    lines.push(`  written by trailwarden ${m.tool.version} at ${m.createdAt}; scan ${m.scan.startedAt} .. ${m.scan.finishedAt}; evaluated at ${m.evaluation.at}`);
  }
  if (r.manifestSha256) lines.push(`  manifest.json sha256 ${r.manifestSha256} (compare with the copy you keep elsewhere)`);
  for (const c of r.checks) lines.push(`  ok        ${c}`);
  for (const p of r.problems) lines.push(`  ${p.kind.toUpperCase().padEnd(9)} ${p.message}`);
  for (const n of r.notes) lines.push(`  note      ${n}`);
  return `${lines.join('\n')}\n`;
}

function toJson(r: VerifyResult, code: number) {
  return {
    bundle: r.dir,
    verified: code === EXIT.ok,
    isBundle: r.isBundle,
    manifestSha256: r.manifestSha256,
    tool: r.metadata?.tool ?? null,
    evaluatedAt: r.metadata?.evaluation.at ?? null,
    checks: r.checks,
    problems: r.problems,
    notes: r.notes,
  };
}
