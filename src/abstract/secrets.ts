// Keeps a request's secrets (its auth token, passwords in its body) out of errors, whatever the
// server echoes back. No I/O.
import { Multipart } from "./body.ts";

const REDACTED = "[redacted]";
// Body fields whose values are secrets: password, passwordConfirm, oldPassword, token, otp secrets…
const SECRET_KEY = /password|token|secret/i;
// Header names whose values are credentials.
const SECRET_HEADER = /auth|token|key|secret|cookie|password/i;

/** String values under secret-looking keys, at any depth of a decoded JSON body. */
function secretValues(value: unknown, into: Set<string>, underSecretKey = false, depth = 0): void {
  if (depth > 8) return;
  if (typeof value === "string") {
    if (underSecretKey) into.add(value);
    return;
  }
  if (typeof value !== "object" || value === null) return;
  for (const [key, item] of Object.entries(value)) {
    secretValues(item, into, underSecretKey || SECRET_KEY.test(key), depth + 1);
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Every secret a request carries: the explicit ones, the auth token, credential headers, and
 * secret-looking fields of its JSON body (or of a multipart body's JSON part and text fields).
 */
export function requestSecrets(request: {
  secrets?: readonly string[] | undefined;
  token?: string | undefined;
  headers?: Record<string, string> | undefined;
  body?: string | FormData | Multipart | undefined;
}): string[] {
  const found = new Set<string>(request.secrets);
  if (request.token) found.add(request.token);
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (SECRET_HEADER.test(name) && typeof value === "string") found.add(value);
  }
  const { body } = request;
  if (typeof body === "string") secretValues(parse(body), found);
  else if (body) {
    for (const [name, value] of body instanceof Multipart ? body.parts : body.entries()) {
      if (typeof value !== "string") continue;
      if (name === "@jsonPayload") secretValues(parse(value), found);
      else if (SECRET_KEY.test(name)) found.add(value);
    }
  }
  // A token may travel as "Bearer <token>"; the bare token is what gets echoed.
  for (const secret of [...found]) {
    const bare = /^Bearer\s+(.+)$/i.exec(secret)?.[1];
    if (bare) found.add(bare);
  }
  found.delete("");
  return [...found];
}

/** The forms a secret takes when echoed: as is, JSON-escaped (once or twice), URL-encoded. */
function forms(secret: string): string[] {
  const escaped = JSON.stringify(secret).slice(1, -1);
  const twice = JSON.stringify(escaped).slice(1, -1);
  // Longest first, so that a form containing another is replaced whole.
  return [...new Set([twice, escaped, secret, encodeURIComponent(secret)])].sort(
    (a, b) => b.length - a.length,
  );
}

/** Text with every form of every secret replaced by `[redacted]`. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) for (const form of forms(secret)) out = out.replaceAll(form, REDACTED);
  return out;
}

/** A decoded JSON value with every secret replaced in its strings and keys. */
export function scrubValue<T>(value: T, secrets: readonly string[], depth = 0): T {
  if (secrets.length === 0) return value;
  if (typeof value === "string") return scrubText(value, secrets) as T;
  if (typeof value !== "object" || value === null) return value;
  if (depth > 32) return REDACTED as T;
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, secrets, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[scrubText(key, secrets)] = scrubValue(item, secrets, depth + 1);
  }
  return out as T;
}
