// Meta-test over the layers (architecture.md, "Layers, as they should stay"): `cli` is glue on top;
// nothing below it (core, evidence, collect, engine, report, the library entry point...) may
// import from it. Tests are exempt: they drive the CLI end to end as a user would.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(SRC, 'cli') + sep;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.(ts|mts|js|mjs)$/.test(e.name) && !/\.test\.ts$/.test(e.name) ? [path] : [];
  });
}

/** Every module specifier a file names: static imports, re-exports, import types and dynamic import(). */
function specifiers(text: string): string[] {
  const patterns = [/\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, /\bimport\s*['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"`]([^'"`]+)['"`]/g];
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]!));
}

/** The relative imports of `file` that land inside src/cli/. */
function cliImports(file: string, text: string): string[] {
  return specifiers(text).filter((s) => s.startsWith('.') && (resolve(dirname(file), s) + sep).startsWith(CLI));
}

describe('layering', () => {
  it('finds imports into src/cli/ in every form a module can write one', () => {
    const file = join(SRC, 'evidence', 'x.ts');
    const text = [
      "import { a } from '../cli/pipeline.js';",
      "import type { B } from '../cli/io.js';",
      "export { c } from '../cli/commands/scan.js';",
      "import '../cli/main.js';",
      "const m = await import('../cli/gate.js');",
      "import { d } from '../core/pipeline.js';",
      "import { e } from './cli/not-the-cli.js';",
    ].join('\n');
    expect(cliImports(file, text)).toEqual(['../cli/pipeline.js', '../cli/io.js', '../cli/commands/scan.js', '../cli/main.js', '../cli/gate.js']);
  });

  it('no module outside src/cli/ imports from src/cli/', () => {
    const files = sourceFiles(SRC).filter((f) => !f.startsWith(CLI));
    expect(files.map((f) => relative(SRC, f))).toContain(join('evidence', 'verify.ts'));
    const offenders = files.flatMap((f) => cliImports(f, readFileSync(f, 'utf8')).map((s) => `${relative(SRC, f)} imports ${s}`));
    expect(offenders, 'cli is glue on top: move what is shared into src/core/ (or lower)').toEqual([]);
  });

  it('evaluation (core/pipeline and what it imports, type-only imports aside) never loads the AWS SDK', () => {
    const seen = new Set<string>();
    const sdk: string[] = [];
    const visit = (file: string, chain: string[]) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(file, 'utf8').replace(/^import type [^;]+;$/gm, '').replace(/^export type [^;]+;$/gm, '');
      for (const spec of specifiers(text)) {
        if (spec.startsWith('@aws-sdk/') || spec.startsWith('@smithy/')) sdk.push(`${[...chain, relative(SRC, file)].join(' -> ')} imports ${spec}`);
        if (spec.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.js$/, '.ts')), [...chain, relative(SRC, file)]);
      }
    };
    visit(join(SRC, 'core', 'pipeline.ts'), []);
    expect(seen.size).toBeGreaterThan(20);
    expect(sdk, 'evaluate and the report writers run offline: an SDK import costs every evaluate ~0.5 s of loading').toEqual([]);
  });
});
