// A recorder is whatever records an account's activity: a trail, or a CloudTrail Lake event data
// store. Rules that ask "is this recorded?" (forAny: recorders, the data-event helpers) judge both
// alike through this one shape, so they never need to know which kind recorded it.
import { z } from 'zod';
import { EventDataStore, EventSelectors, type Trail } from '../inventory/schema.js';

export const Recorder = z
  .object({
    kind: z.enum(['trail', 'event-data-store']),
    arn: z.string(),
    name: z.string(),
    ownerAccountId: z.string(),
    homeRegion: z.string(),
    multiRegion: z.boolean().nullable().describe('null: an event data store whose configuration was not read'),
    organization: z.boolean().nullable(),
    recording: z.boolean().nullable().describe('a trail that is logging, an event data store whose status is ENABLED; null: not collected'),
    eventSelectors: EventSelectors.nullable(),
  })
  .strict();
export type Recorder = z.infer<typeof Recorder>;

export function trailRecorder(t: Trail): Recorder {
  return {
    kind: 'trail',
    arn: t.arn,
    name: t.name,
    ownerAccountId: t.ownerAccountId,
    homeRegion: t.homeRegion,
    multiRegion: t.isMultiRegionTrail,
    organization: t.isOrganizationTrail,
    recording: t.status ? t.status.isLogging : null,
    eventSelectors: t.eventSelectors,
  };
}

export function eventDataStoreRecorder(d: z.infer<typeof EventDataStore>): Recorder {
  const c = d.configuration;
  return {
    kind: 'event-data-store',
    arn: d.arn,
    name: d.name,
    ownerAccountId: d.ownerAccountId,
    homeRegion: d.homeRegion,
    multiRegion: c ? c.multiRegionEnabled : null,
    organization: c ? c.organizationEnabled : null,
    recording: c ? c.status === 'ENABLED' : null,
    eventSelectors: d.eventSelectors,
  };
}
