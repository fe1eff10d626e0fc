// Typed exits: the CLI maps these to exit codes in one place.
// 130 = 128 + SIGINT, what shells and CI runners report for an interrupted command; 143 = 128 + SIGTERM.
// 70 (sysexits EX_SOFTWARE): a bug in trailwarden, never to be mistaken for a failed gate (1).
export const EXIT = { ok: 0, gateFailed: 1, usage: 2, incomplete: 3, internal: 70, interrupted: 130, terminated: 143 } as const;

/** Bad flags, configuration or input: exit 2, nothing written. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
