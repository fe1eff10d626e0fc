// Who is scanning: sts:GetCallerIdentity, and sts:AssumeRole into each member (credentials.ts).
import type { CollectorSpec } from './context.js';

export const collector: CollectorSpec = {
  name: 'identity',
  service: 'sts',
  principal: 'management',
  operations: {
    GetCallerIdentity: 'sts:GetCallerIdentity',
    AssumeRole: 'sts:AssumeRole',
  },
};
