import { setTimeout as sleep } from "node:timers/promises";
import type { Pool } from "undici";
import {
  AbortError,
  errorFromStatus,
  NetworkError,
  type PocketBaseError,
  TimeoutError,
} from "../abstract/errors/index.ts";
import type { RequestSpec } from "../abstract/operations.ts";
import type { QueryValue } from "../abstract/types.ts";

export interface TransportOptions {
  timeout: number;
  retries: number;
  retryDelay: number;
  connections: number;
  headers: Record<string, string>;
  /** Called after every response (or failure) with no secrets. */
  onResponse?: (info: { method: string; path: string; status: number; ms: number }) => void;
}

export interface SendOptions {
  token?: string | undefined;
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
  headers?: Record<string, string> | undefined;
}

export interface Response {
  status: number;
  body: unknown;
}

// Retrying these cannot repeat a write.
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS"]);
const RETRY_STATUSES = new Set([408, 429, 502, 503, 504]);
// Failures that mean the request never reached the server, so any method may be retried.
const NOT_SENT_CODES = new Set([
  "ECONNREFUSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
]);

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** Tokens can appear in query strings (file URLs); never let them reach an error or an event. */
function redact(url: string): string {
  return url.replace(/([?&]token=)[^&]*/g, "$1[redacted]");
}

function errorCode(error: unknown): string | undefined {
  let current = error as { code?: string; cause?: unknown } | undefined;
  for (let depth = 0; current && depth < 4; depth++) {
    if (typeof current.code === "string" && current.code.startsWith("E")) return current.code;
    if (typeof current.code === "string" && current.code.startsWith("UND_ERR_CONNECT")) return current.code;
    current = current.cause as typeof current;
  }
  return undefined;
}

/** `title: Cannot be blank; email: Must be a valid email` from PocketBase's nested per-field errors. */
function describeFieldErrors(data: Record<string, unknown>, prefix = ""): string {
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

/** One keep-alive pool to one server; sends request specs with timeouts and safe retries. */
export class Transport {
  readonly #origin: string;
  readonly #basePath: string;
  readonly #pool: Pool;
  readonly #options: TransportOptions;

  /**
   * undici is loaded on the first connection, not at import: a sync-kind script never uses it on its
   * main thread, and loading it costs tens of milliseconds of start-up.
   */
  static async open(url: string, options: TransportOptions): Promise<Transport> {
    const { Pool } = await import("undici");
    const origin = new URL(url).origin;
    const pool = new Pool(origin, {
      connections: options.connections,
      keepAliveTimeout: 30_000,
      pipelining: 1,
    });
    return new Transport(url, pool, options);
  }

  private constructor(url: string, pool: Pool, options: TransportOptions) {
    const parsed = new URL(url);
    this.#origin = parsed.origin;
    this.#basePath = parsed.pathname.replace(/\/+$/, "");
    this.#options = options;
    this.#pool = pool;
  }

  get url(): string {
    return this.#origin + this.#basePath;
  }

  async send(spec: RequestSpec, options: SendOptions = {}): Promise<Response> {
    const path = this.#basePath + spec.path + buildQuery(spec.query);
    const idempotent = IDEMPOTENT.has(spec.method);
    for (let attempt = 0; ; attempt++) {
      try {
        const response = await this.#once(spec, path, options);
        if (response.status < 400) return response;
        const error = this.#errorFor(spec.method, path, response);
        if (!(idempotent && RETRY_STATUSES.has(response.status) && attempt < this.#options.retries))
          throw error;
      } catch (error) {
        if (!this.#retryable(error, idempotent) || attempt >= this.#options.retries) throw error;
      }
      await sleep(this.#options.retryDelay * 2 ** attempt * (0.5 + Math.random()), undefined, {
        signal: options.signal,
      }).catch(() => {
        throw new AbortError({
          status: 0,
          message: "the request was aborted",
          url: redact(path),
          method: spec.method,
        });
      });
    }
  }

  #retryable(error: unknown, idempotent: boolean): boolean {
    const wrapped = error as PocketBaseError;
    if (wrapped instanceof AbortError) return false;
    if (wrapped instanceof NetworkError)
      return idempotent || NOT_SENT_CODES.has(errorCode(wrapped.cause) ?? "");
    if (wrapped instanceof TimeoutError) return idempotent;
    return false;
  }

  #errorFor(method: string, path: string, response: Response): PocketBaseError {
    const body = (response.body ?? {}) as { message?: unknown; data?: unknown };
    const data = body.data && typeof body.data === "object" ? (body.data as Record<string, unknown>) : {};
    const base = typeof body.message === "string" && body.message ? body.message : `HTTP ${response.status}`;
    const details = describeFieldErrors(data);
    const message = details ? `${base} ${details}` : base;
    return errorFromStatus({
      status: response.status,
      message,
      data,
      url: redact(this.#origin + path),
      method,
    });
  }

  async #once(spec: RequestSpec, path: string, options: SendOptions): Promise<Response> {
    const timeout = options.timeout ?? this.#options.timeout;
    const timeoutSignal = AbortSignal.timeout(timeout);
    const signal = options.signal ? AbortSignal.any([options.signal, timeoutSignal]) : timeoutSignal;
    const headers: Record<string, string> = { ...this.#options.headers, ...options.headers };
    if (options.token) headers.authorization = options.token;
    if (typeof spec.body === "string") headers["content-type"] = "application/json";
    const started = performance.now();
    const url = redact(this.#origin + path);
    try {
      const response = await this.#pool.request({
        method: spec.method,
        path,
        headers,
        // Node's global FormData and undici's are the same shape; undici checks it by duck typing.
        body: (spec.body ?? null) as string | null,
        signal,
      });
      const text = await response.body.text();
      const status = response.statusCode;
      this.#options.onResponse?.({
        method: spec.method,
        path: spec.path,
        status,
        ms: performance.now() - started,
      });
      let body: unknown;
      if (text) {
        try {
          body = JSON.parse(text);
        } catch {
          body = { message: text.slice(0, 200) };
        }
      }
      return { status, body };
    } catch (cause) {
      this.#options.onResponse?.({
        method: spec.method,
        path: spec.path,
        status: 0,
        ms: performance.now() - started,
      });
      if (options.signal?.aborted) {
        throw new AbortError({
          status: 0,
          message: "the request was aborted",
          url,
          method: spec.method,
          cause,
        });
      }
      if (timeoutSignal.aborted) {
        throw new TimeoutError({
          status: 0,
          message: `no response within ${timeout} ms`,
          url,
          method: spec.method,
          cause,
        });
      }
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new NetworkError({
        status: 0,
        message: `request failed: ${reason}`,
        url,
        method: spec.method,
        cause,
      });
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
