// Product docs link only to the repository's own files (or to the web): a link that leaves the
// repository, or points at nothing, fails here.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

function links(text: string): string[] {
  const body = text.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...body.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

describe('documentation links', () => {
  it('finds links to check', () => {
    expect(docs.flatMap((d) => links(readFileSync(join(ROOT, d), 'utf8'))).length).toBeGreaterThan(20);
  });

  it.each(docs)('%s links only to files of the repository that exist, or to the web', (doc) => {
    const bad: string[] = [];
    for (const link of links(readFileSync(join(ROOT, doc), 'utf8'))) {
      if (/^(https?:|mailto:)/.test(link) || link.startsWith('#')) continue;
      const target = resolve(dirname(join(ROOT, doc)), decodeURIComponent(link.split('#')[0]!));
      const rel = relative(ROOT, target);
      if (rel.startsWith('..') || !existsSync(target)) bad.push(link);
    }
    expect(bad, doc).toEqual([]);
  });

  it('the docs name no path outside the repository', () => {
    for (const doc of docs) expect(readFileSync(join(ROOT, doc), 'utf8'), doc).not.toMatch(/\.\.\/shared\/|shared\/(guides|reference)|\/work\//);
  });
});
