import { DEFAULT_CONNECTIONS, DEFAULT_RETRIES, DEFAULT_RETRY_DELAY, DEFAULT_TIMEOUT } from "./constants.ts";
import { InvalidInputError } from "./errors/invalid-input.ts";
import { assertHeaders } from "./request-options.ts";

/** What `setup()` accepts. Every option has an environment-variable default. */
export interface SetupOptions {
  /** `true` for an AsyncEnvironment; the default is a SyncEnvironment. */
  async?: boolean;
  /** Server URL (POCKETBASE_URL). None anywhere: embedded mode starts a local PocketBase. */
  url?: string;
  /** Superuser email (POCKETBASE_EMAIL). */
  email?: string;
  /** Superuser password (POCKETBASE_PASSWORD). */
  password?: string;
  /** An existing auth token to act with (POCKETBASE_TOKEN). */
  token?: string;
  /** Embedded mode data directory (POCKETBASE_DIR); none: a temporary one removed at exit. */
  dir?: string;
  /** Per-request timeout in milliseconds (POCKETMAP_TIMEOUT, default 30000). */
  timeout?: number;
  /** Retries of idempotent requests and of connections that never opened (POCKETMAP_RETRIES, default 2). */
  retries?: number;
  /** Keep-alive connections in the pool (POCKETMAP_CONNECTIONS, default 16). */
  connections?: number;
  /** Headers sent with every request. */
  headers?: Record<string, string>;
}

/** Options after defaults and validation; secrets included, so never log this object. */
export interface ResolvedOptions {
  async: boolean;
  url: string | undefined;
  email: string | undefined;
  password: string | undefined;
  token: string | undefined;
  dir: string | undefined;
  timeout: number;
  retries: number;
  retryDelay: number;
  connections: number;
  headers: Record<string, string>;
}

const SETUP_KEYS = [
  "async",
  "url",
  "email",
  "password",
  "token",
  "dir",
  "timeout",
  "retries",
  "connections",
  "headers",
] as const;

/** Throws if `options` has a key outside `known`, naming it and the keys that are accepted. */
export function assertKnownOptions(
  options: object | undefined,
  known: readonly string[],
  where: string,
): void {
  if (options === undefined || options === null) return;
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new InvalidInputError(`pocketmap: ${where} options must be an object`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new InvalidInputError(
        `pocketmap: unknown option "${key}" for ${where}; expected one of: ${known.join(", ")}`,
      );
    }
  }
}

function integer(value: unknown, name: string, min: number, fallback: number): number {
  if (value === undefined || value === null || value === "") return fallback;
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isInteger(number) || number < min) {
    throw new InvalidInputError(
      `pocketmap: ${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`,
    );
  }
  return number;
}

function text(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new InvalidInputError(`pocketmap: ${name} must be a string`);
  return value;
}

/** Validates a server URL and drops the trailing slash. */
export function normalizeUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidInputError(`pocketmap: url ${JSON.stringify(value)} is not a valid URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new InvalidInputError(`pocketmap: url must be http or https, got ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new InvalidInputError(
      "pocketmap: url must not carry credentials; use the email and password options",
    );
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, "")}`;
}

/**
 * Resolves setup options: explicit options first, then `variables` (the process environment merged
 * with `.env`). Pure: the caller does the reading.
 */
export function resolveOptions(
  options: SetupOptions = {},
  variables: Record<string, string | undefined> = {},
) {
  assertKnownOptions(options, SETUP_KEYS, "setup()");
  const pick = (key: keyof SetupOptions, variable: string) => options[key] ?? variables[variable];
  const url = text(pick("url", "POCKETBASE_URL"), "url");
  assertHeaders(options.headers);
  const headers = options.headers ?? {};
  const resolved: ResolvedOptions = {
    async: options.async === true,
    url: url === undefined ? undefined : normalizeUrl(url),
    email: text(pick("email", "POCKETBASE_EMAIL"), "email"),
    password: text(pick("password", "POCKETBASE_PASSWORD"), "password"),
    token: text(pick("token", "POCKETBASE_TOKEN"), "token"),
    dir: text(pick("dir", "POCKETBASE_DIR"), "dir"),
    timeout: integer(pick("timeout", "POCKETMAP_TIMEOUT"), "timeout", 1, DEFAULT_TIMEOUT),
    retries: integer(pick("retries", "POCKETMAP_RETRIES"), "retries", 0, DEFAULT_RETRIES),
    retryDelay: DEFAULT_RETRY_DELAY,
    connections: integer(pick("connections", "POCKETMAP_CONNECTIONS"), "connections", 1, DEFAULT_CONNECTIONS),
    headers: { ...headers },
  };
  if (options.async !== undefined && typeof options.async !== "boolean") {
    throw new InvalidInputError("pocketmap: async must be true or false");
  }
  if ((resolved.email === undefined) !== (resolved.password === undefined)) {
    throw new InvalidInputError(
      `pocketmap: ${resolved.email === undefined ? "a password was given without an email" : "an email was given without a password"} (set both, or neither)`,
    );
  }
  return resolved;
}
