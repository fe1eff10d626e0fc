import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { publishedSchemas } from './schemas.js';

describe('published JSON Schemas', () => {
  for (const [file, schema] of Object.entries(publishedSchemas())) {
    it(`schemas/${file} matches its zod source (run npm run schemas after changing it)`, () => {
      const committed = JSON.parse(readFileSync(new URL(`../schemas/${file}`, import.meta.url), 'utf8'));
      expect(committed).toEqual(JSON.parse(JSON.stringify(schema)));
    });
  }
});
