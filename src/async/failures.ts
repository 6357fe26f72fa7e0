// What a failed request was: the error codes that mean the network failed (and whether the request
// never left), whether a write's outcome is unknown, and how an error may name what it was about
// (a URL with its tokens redacted, PocketBase's per-field messages). No I/O.
import { NetworkError, PocketBaseError, TimeoutError } from "../abstract/errors/index.ts";

// Failures that mean the request never reached the server, so any method may be retried.
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
]);
// Failures of the network itself: the connection could not be made, or broke. Anything else thrown
// while sending (undici refusing an argument, say) is a client-side failure, never a NetworkError.
const NETWORK_CODES = new Set([
  ...NOT_SENT_CODES,
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_FAIL",
  "EAI_NONAME",
  "EHOSTDOWN",
  "ENETUNREACH",
  "ENETDOWN",
  "ENETRESET",
  "EADDRNOTAVAIL",
  "EPROTO",
  "UND_ERR_SOCKET",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  // The answer broke on the wire (wrong length, not HTTP): a failure of the exchange, not of our input.
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
]);
// TLS handshake failures (bad or untrusted certificates) are failures to connect, too, and HTTP
// parser errors (HPE_) mean the other side did not speak HTTP.
const WIRE_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HPE_)/;
// undici's codes for arguments it refuses: bad input, caught before anything was sent.
const INVALID_ARGUMENT_CODES = new Set(["UND_ERR_INVALID_ARG", "UND_ERR_NOT_SUPPORTED"]);

/** Tokens can appear in query strings (file URLs); never let them reach an error or an event. */
export function redact(url: string): string {
  return url.replace(/([?&]token=)[^&]*/g, "$1[redacted]");
}

/** The error codes on an error, its causes and (for AggregateError) its parts. */
function errorCodes(error: unknown, into: string[] = [], depth = 0): string[] {
  if (!error || typeof error !== "object" || depth > 4) return into;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === "string") into.push(code);
  errorCodes(cause, into, depth + 1);
  if (Array.isArray(errors)) for (const part of errors) errorCodes(part, into, depth + 1);
  return into;
}

export function isNetworkFailure(error: unknown): boolean {
  return errorCodes(error).some((code) => NETWORK_CODES.has(code) || WIRE_CODE.test(code));
}

export function neverSent(error: unknown): boolean {
  return errorCodes(error).some((code) => NOT_SENT_CODES.has(code));
}

/**
 * Whether a failed write may still have been applied: the request was (or may have been) sent, but
 * its answer never came (a connection that broke after sending, a timeout, a gateway's 502/504).
 * Such writes are never retried (see send()), so their outcome is unknown.
 */
export function outcomeUnknown(error: unknown): boolean {
  if (error instanceof NetworkError) return !neverSent(error.cause);
  if (error instanceof TimeoutError) return true;
  return error instanceof PocketBaseError && (error.status === 502 || error.status === 504);
}

/** `title: Cannot be blank; email: Must be a valid email` from PocketBase's nested per-field errors. */
export function describeFieldErrors(data: Record<string, unknown>, prefix = ""): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (!value || typeof value !== "object") continue;
    const { message, code } = value as { message?: unknown; code?: unknown };
    if (typeof message === "string" && typeof code === "string") parts.push(`${prefix}${key}: ${message}`);
    else {
      const nested = describeFieldErrors(value as Record<string, unknown>, `${prefix}${key}.`);
      if (nested) parts.push(nested);
    }
  }
  return parts.slice(0, 5).join("; ");
}

/** Whether undici refused an argument: bad input, caught on this side before anything was sent. */
export function refusedArgument(error: unknown): boolean {
  return errorCodes(error).some((code) => INVALID_ARGUMENT_CODES.has(code));
}
