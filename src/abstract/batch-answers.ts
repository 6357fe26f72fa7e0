// Reading PocketBase's answers to /api/batch: the request a failed transaction names, the size limit
// in a refusal, whether a result is a written record. No I/O.
import { BadRequestError } from "./errors/index.ts";
import type { BatchResult } from "./types.ts";

// PocketBase's 404 for a collection that does not exist ("Missing collection context.").
export const MISSING_COLLECTION = /collection context/i;

export interface FailedRequest {
  status?: number;
  message?: string;
  data?: Record<string, unknown>;
}

/** A written record's result: a 2xx whose body is a record (an object with a string id). */
export function isRecordResult(result: BatchResult): boolean {
  const body = result.body as { id?: unknown } | null;
  return (
    result.status >= 200 &&
    result.status < 300 &&
    typeof body === "object" &&
    body !== null &&
    typeof body.id === "string"
  );
}

/** The server's batch.maxRequests from its "Invalid batch request data." refusal, if that is what this is. */
export function lengthLimit(error: unknown): number | undefined {
  if (!(error instanceof BadRequestError)) return undefined;
  const requests = error.data.requests as
    | { code?: unknown; message?: unknown; params?: { max?: unknown } }
    | undefined;
  if (!requests || typeof requests !== "object" || requests.code !== "validation_length_too_long")
    return undefined;
  const max = Number(requests.params?.max ?? /(\d+)/.exec(String(requests.message))?.[1]);
  return Number.isInteger(max) && max > 0 ? max : undefined;
}

/** The request of a chunk that failed its transaction: "Batch transaction failed." with data.requests[i]. */
export function failedRequest(error: unknown): { position: number; response: FailedRequest } | undefined {
  if (!(error instanceof BadRequestError)) return undefined;
  const requests = error.data.requests;
  if (!requests || typeof requests !== "object") return undefined;
  for (const [key, value] of Object.entries(requests)) {
    const position = Number(key);
    const response = (value as { response?: FailedRequest } | null)?.response;
    if (Number.isInteger(position) && response && typeof response === "object") return { position, response };
  }
  return undefined;
}
