import { resolve } from 'node:path';
import { loadRules } from '../../engine/load.js';
import { rulesReference } from '../../engine/docs.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { EXIT } from '../../core/errors.js';
import type { CliIO } from '../io.js';
import { BUILTIN_RULES } from '../../core/pipeline.js';

export async function runRulesList(flags: { rules?: string[]; json?: boolean }, io: CliIO): Promise<number> {
  const pack = await loadRules([BUILTIN_RULES, ...(flags.rules ?? []).map((d) => resolve(io.cwd, d))]);
  if (flags.json) {
    io.stdout(`${JSON.stringify(pack.rules.map(({ id, title, severity, scope, frameworks }) => ({ id, title, severity, scope, frameworks })), null, 2)}\n`);
    return EXIT.ok;
  }
  const width = Math.max(...pack.rules.map((r) => r.id.length));
  const scopeWidth = Math.max(14, ...pack.rules.map((r) => r.scope.length + 1));
  for (const r of pack.rules) io.stdout(`${r.id.padEnd(width)}  ${r.severity.padEnd(13)} ${r.scope.padEnd(scopeWidth)} ${r.title}\n`);
  io.stdout(`${pack.rules.length} rules, pack sha256 ${pack.sha256}\n`);
  return EXIT.ok;
}

/** Validates a rules directory (the built-in pack when none is given); errors exit 2 with file:line. */
export async function runRulesValidate(dir: string | undefined, io: CliIO): Promise<number> {
  const dirs = dir ? [BUILTIN_RULES, resolve(io.cwd, dir)] : [BUILTIN_RULES];
  const pack = await loadRules(dirs);
  io.stdout(`${pack.rules.length} rules valid${dir ? ` (built-in pack plus ${dir})` : ''}\n`);
  return EXIT.ok;
}

/** On stdout, or into --out FILE only when asked: never a file under whatever directory it runs in. */
export async function runRulesDocs(flags: { out?: string }, io: CliIO): Promise<number> {
  const pack = await loadRules([BUILTIN_RULES]);
  const reference = rulesReference(pack.rules);
  if (flags.out === undefined) {
    io.stdout(reference);
    return EXIT.ok;
  }
  const path = resolve(io.cwd, flags.out);
  await writeFileAtomic(path, reference);
  io.stderr(`trailwarden: wrote ${path} (${pack.rules.length} rules)\n`);
  return EXIT.ok;
}
