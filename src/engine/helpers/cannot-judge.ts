/**
 * Thrown by a helper (or by a rule through cannotJudge) when the facts it was given do not decide
 * the verdict: the finding is ERROR with exactly this message as its reason. Any other error is a
 * bug in a rule or helper and is reported as such.
 */
export class CannotJudge extends Error {}
