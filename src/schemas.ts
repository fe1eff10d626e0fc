// The JSON Schemas trailwarden publishes in schemas/, generated from the zod definitions.
import { snapshotJsonSchema } from './inventory/schema.js';

export function publishedSchemas(): Record<string, Record<string, unknown>> {
  return {
    'snapshot.schema.json': snapshotJsonSchema(),
  };
}
