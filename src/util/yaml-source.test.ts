import { describe, expect, it } from 'vitest';
import { InputError } from './input-error.js';
import { parseYaml } from './yaml-source.js';

describe('parseYaml', () => {
  // Found by test/fuzz/baseline.test.ts: '- ' × 3000 inserted into a report.json made the yaml
  // parser overflow the stack, and every YAML or JSON input exited 70 instead of 2.
  it('refuses a document nested too deeply to read as bad input, not a crash', () => {
    const text = `{\n  "findings": [\n    {\n      "title": "x",\n    ${'- '.repeat(3_000)}x\n    }\n  ]\n}\n`;
    expect(() => parseYaml('deep.json', text)).toThrow(InputError);
    expect(() => parseYaml('deep.json', text)).toThrow(/^deep\.json(:\d+)?: invalid YAML: /);
  });
});
