// trailwarden.config.yaml: rule parameters and rules switched on or off. Validated by zod; the
// same schema is published as JSON Schema.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InputError } from '../util/input-error.js';
import { parseYaml, schemaError } from '../util/yaml-source.js';

export const Parameters = z
  .object({
    retentionDays: z.number().int().min(1).default(365).describe('minimum days a log group keeps events and a bucket keeps log objects'),
    objectLockRetentionDays: z.number().int().min(1).default(365).describe('minimum Object Lock default retention of the trail bucket'),
    requiredTagKeys: z.array(z.string().min(1)).default([]).describe('tag keys every trail must carry (none: at least one tag)'),
    deliveryFreshnessHours: z.number().positive().default(24).describe('maximum age of the last log file delivered to S3'),
    digestFreshnessHours: z.number().positive().default(2).describe('maximum age of the last digest file (digests are delivered hourly)'),
    maxLogGapHours: z.number().positive().default(2).describe('longest gap in a stream\'s digest chain (logging stopped, validation off) that scan --verify-logs tolerates inside its window'),
    cloudWatchFreshnessHours: z.number().positive().default(24).describe('maximum age of the last delivery to CloudWatch Logs'),
    logArchiveAccountId: z
      .string()
      .regex(/^\d{12}$/)
      .nullable()
      .default(null)
      .describe('the designated log-archive account: trail buckets must live there'),
    cisVersion: z
      .enum(['cis-aws-v1.4.0', 'cis-aws-v3.0.0', 'cis-aws-v5.0.0'])
      .default('cis-aws-v5.0.0')
      .describe('the CIS AWS Foundations version whose metric filter patterns the monitoring rules require (--framework cis-aws-vX selects it too)'),
    eventDataStoreRetentionDays: z
      .number()
      .int()
      .min(1)
      .default(365)
      .describe('minimum retention period, in days, of a CloudTrail Lake event data store'),
    dataEvents: z
      .object({
        required: z
          .array(
            z
              .object({
                resourceType: z.string().regex(/^AWS::\w+::\w+$/, 'a data-event resource type such as AWS::DynamoDB::Table'),
                arnPrefix: z.string().startsWith('arn:').optional().describe('only resources whose ARN starts with this (a bucket, a table); absent: every resource of the type'),
                read: z.boolean().default(true).describe('read-only data events must be recorded'),
                write: z.boolean().default(true).describe('write data events must be recorded'),
              })
              .strict(),
          )
          .default([])
          .describe('data events every account must record, through a multi-region trail or event data store that is logging: resource types, optionally narrowed to an ARN prefix (the organization\'s sensitive buckets and tables), read and/or write'),
      })
      .strict()
      .default({ required: [] }),
    networkActivity: z
      .object({
        required: z
          .array(
            z
              .object({
                eventSource: z.string().regex(/^[a-z0-9.-]+\.amazonaws\.com$/, 'a VPC endpoint service event source such as s3.amazonaws.com'),
                read: z.boolean().default(true),
                write: z.boolean().default(true),
              })
              .strict(),
          )
          .default([])
          .describe('VPC endpoint services whose network activity events every account must record (eventCategory NetworkActivity)'),
      })
      .strict()
      .default({ required: [] }),
    custom: z
      .record(z.string().regex(/^[a-zA-Z]\w*$/), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]))
      .default({})
      .describe('values for your own rules, read as params.custom.<name>'),
  })
  .strict();
export type Parameters = z.infer<typeof Parameters>;

export const ConfigFile = z
  .object({
    parameters: Parameters.default(Parameters.parse({})),
    rules: z
      .record(z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/), z.object({ enabled: z.boolean() }).strict())
      .default({})
      .describe('per-rule switches, e.g. { trail-insights: { enabled: false } }'),
  })
  .strict();
export type Config = z.infer<typeof ConfigFile>;

export const DEFAULT_CONFIG: Config = ConfigFile.parse({});

export function configJsonSchema(): Record<string, unknown> {
  return {
    $id: 'https://github.com/trailwarden/trailwarden/schemas/config.schema.json',
    title: 'trailwarden configuration',
    ...z.toJSONSchema(ConfigFile, { target: 'draft-2020-12', io: 'input', unrepresentable: 'any' }),
  };
}

/**
 * Loads and validates a config file; errors name the file and line. With the ids of the rules
 * pack (built-in plus --rules), a switch for any other id is an error too: a typo in
 * `rules: { trail-insight: { enabled: false } }` would otherwise leave the rule on, silently.
 */
export async function loadConfig(file: string, ruleIds?: readonly string[]): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(file, null, `cannot read the configuration (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const source = parseYaml(file, text);
  const parsed = ConfigFile.safeParse(source.data ?? {});
  if (!parsed.success) throw schemaError(source, parsed.error.issues, 'key');
  const unknown = ruleIds ? Object.keys(parsed.data.rules).find((id) => !ruleIds.includes(id)) : undefined;
  if (unknown !== undefined) {
    throw new InputError(file, source.lineOf(['rules'], unknown), `rules.${unknown}: no rule has this id (built-in pack and --rules directories; trailwarden rules list shows them)`);
  }
  return parsed.data;
}
