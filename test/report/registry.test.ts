// The --format help text names exactly the registered formats and the defaults.
import { describe, expect, it } from 'vitest';
import { FORMAT_HELP } from '../../src/cli/main.js';
import { DEFAULT_FORMATS, REPORT_FORMATS } from '../../src/report/formats/index.js';

describe('the format registry', () => {
  it('--format help lists every registered format and the defaults', () => {
    const [, listed, defaults] = /: (.*) \(default: (.*)\)$/.exec(FORMAT_HELP) ?? [];
    expect(listed?.split(', ').sort()).toEqual(REPORT_FORMATS.map((f) => f.name).sort());
    expect(defaults?.split(',')).toEqual([...DEFAULT_FORMATS]);
  });

  it('every format writes its own file', () => {
    const files = REPORT_FORMATS.map((f) => f.file);
    expect(new Set(files).size).toBe(files.length);
  });
});
