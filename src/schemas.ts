// The JSON Schemas trailwarden publishes in schemas/, generated from the zod definitions.
import { configJsonSchema } from './config/config.js';
import { ruleJsonSchema } from './engine/rule-schema.js';
import { snapshotJsonSchema } from './inventory/schema.js';
import { reportJsonSchema } from './report/report.js';
import { waiversJsonSchema } from './waivers/schema.js';

export function publishedSchemas(): Record<string, Record<string, unknown>> {
  return {
    'snapshot.schema.json': snapshotJsonSchema(),
    'rule.schema.json': ruleJsonSchema(),
    'config.schema.json': configJsonSchema(),
    'report.schema.json': reportJsonSchema(),
    'waivers.schema.json': waiversJsonSchema(),
  };
}
