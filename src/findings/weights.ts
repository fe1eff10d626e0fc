// Severity weights shared by the posture score (HTML) and the fix plan's impact: one table, so a
// score and an action's impact always weigh a finding the same (documented in docs/reports.md).
import type { Severity } from '../engine/rule-schema.js';

export const SCORE_WEIGHTS: Record<Severity, number> = { critical: 10, high: 5, medium: 3, low: 1, informational: 0 };
