// Recording every AWS call the scan makes, for the evidence bundle (scan --evidence). A client
// gets this middleware only when a recorder is given, so a scan without --evidence pays nothing.
// It sits inside the accounting middleware (initialize step, low priority): it sees each call
// once, after the concurrency queue, with the SDK's retries inside it.
import type {
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  InitializeHandlerOutput,
  MiddlewareStack,
} from '@smithy/types';

/** One AWS call as sent and answered. `output` is the SDK's deserialized output, not the HTTP body. */
export interface ApiCallRecord {
  accountId: string;
  region: string;
  service: string;
  operation: string;
  /** When the call left the scan's concurrency queue (ISO 8601). */
  startedAt: string;
  /** Wall time of the call, retries included. */
  durationMs: number;
  attempts: number;
  httpStatus: number | null;
  requestId: string | null;
  input: unknown;
  /** null when the call failed. */
  output: unknown;
  error: { code: string; message: string; fault: string | null } | null;
}

/**
 * Receives each record once; it must not keep `input` or `output` (the scan's memory bound),
 * and may return a promise to slow the scan down while it writes (back-pressure).
 */
export interface ApiCallRecorder {
  record(call: ApiCallRecord): void | Promise<void>;
}

interface Metadata {
  attempts?: number;
  httpStatusCode?: number;
  requestId?: string;
}

const metadataOf = (value: unknown): Metadata => (value as { $metadata?: Metadata } | undefined)?.$metadata ?? {};

export function addRecordingMiddleware(
  stack: MiddlewareStack<object, object>,
  recorder: ApiCallRecorder,
  where: { accountId: string; region: string; service: string },
): void {
  stack.add(
    (next: InitializeHandler<object, object>, context: HandlerExecutionContext) => async (args: InitializeHandlerArguments<object>) => {
      const operation = String(context.commandName ?? 'Unknown').replace(/Command$/, '');
      let result: InitializeHandlerOutput<object> | undefined;
      await recordCall(recorder, where, operation, args.input, async () => {
        result = await next(args);
        return result.output;
      });
      return result!;
    },
    { step: 'initialize', priority: 'low', name: 'trailwardenEvidence' },
  );
}

/** One call recorded, whichever way it ended: the SDK's send() (the middleware above) and the scan's direct path alike. */
export async function recordCall<T>(
  recorder: ApiCallRecorder,
  where: { accountId: string; region: string; service: string },
  operation: string,
  input: unknown,
  call: () => Promise<T>,
): Promise<T> {
  const started = Date.now();
  const base = { ...where, operation, startedAt: new Date(started).toISOString(), input };
  // What the SDK reports of the call, whichever way it ended.
  const timing = (carrier: unknown) => {
    const meta = metadataOf(carrier);
    return { durationMs: Date.now() - started, attempts: meta.attempts ?? 1, httpStatus: meta.httpStatusCode ?? null, requestId: meta.requestId ?? null };
  };
  let result: T;
  try {
    result = await call();
  } catch (err) {
    const e = err as { name?: string; Code?: string; code?: string; message?: string; $fault?: string };
    await recorder.record({
      ...base,
      ...timing(err),
      output: null,
      error: { code: String(e.Code ?? e.code ?? e.name ?? 'Error'), message: String(e.message ?? err), fault: e.$fault ?? null },
    });
    throw err;
  }
  const { $metadata: _metadata, ...output } = result as { $metadata?: unknown; Body?: unknown };
  // An object's content (a digest or log file, scan --verify-logs) is a stream its reader
  // consumes: the record keeps the answer's metadata, never the bytes.
  if (output.Body !== undefined) output.Body = '(object content, read by the verifier: not recorded)';
  await recorder.record({ ...base, ...timing(result), output, error: null });
  return result;
}
