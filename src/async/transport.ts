import type { Readable } from "node:stream";
import type { Pool } from "undici";
import { Multipart } from "../abstract/body.ts";
import { type Decoded, decodeJson, describeBody, shapeProblem } from "../abstract/decode.ts";
import {
  AbortError,
  errorFromStatus,
  InvalidInputError,
  MFARequiredError,
  NetworkError,
  PocketBaseError,
  TimeoutError,
} from "../abstract/errors/index.ts";
import type { RequestSpec } from "../abstract/operations.ts";
import { requestSecrets, scrubText, scrubValue } from "../abstract/secrets.ts";
import type { AfterSend, BeforeSend, HookRequest, HookResponse, QueryValue } from "../abstract/types.ts";
import { isPlainObject } from "../abstract/validate.ts";
import { describeFieldErrors, isNetworkFailure, neverSent, redact, refusedArgument } from "./failures.ts";
import { type StreamedBody, streamFormData, toFormData } from "./multipart.ts";
import { discard, keep, type Received, receive } from "./receive.ts";
import { loadUndici } from "./undici.ts";

export interface TransportOptions {
  timeout: number;
  retries: number;
  retryDelay: number;
  connections: number;
  headers: Record<string, string>;
  /** Called after every response (or failure) with no secrets. */
  onResponse?: (info: { method: string; path: string; status: number; ms: number }) => void;
}

export interface TransportRequestOptions {
  token?: string | undefined;
  signal?: AbortSignal | undefined;
  timeout?: number | undefined;
  headers?: Record<string, string> | undefined;
  /** Reports this request instead of the transport's `onResponse` (each identity reports its own). */
  onResponse?: TransportOptions["onResponse"];
  /** The environment's request pipeline hooks. */
  hooks?: Hooks | undefined;
}

/** The hooks of an environment's request pipeline (see DESIGN, "Hooks"). */
export interface Hooks {
  beforeSend: readonly BeforeSend[];
  afterSend: readonly AfterSend[];
}

export interface Response {
  status: number;
  body: unknown;
}

/** What arrived, before decoding. */
interface RawResponse {
  status: number;
  text: string;
  contentType: string | undefined;
  /** The answer's headers (read only for afterSend hooks). */
  headers?: Record<string, string>;
  /** The body as afterSend hooks left it, when one returned other data. */
  decoded?: Decoded;
  /** A download's 2xx answer (its `text` is empty). */
  received?: Received;
}

// Retrying these cannot repeat a write.
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS"]);
const RETRY_STATUSES = new Set([408, 429, 502, 503, 504]);
const MAX_MESSAGE = 500;

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

/** A request body as undici sends it: text, or a multipart stream opened again for each attempt. */
type EncodedBody = { body: string | StreamedBody | null; contentType?: string };

/** The request body as undici sends it. Multipart is streamed (multipart.ts), files read as they go. */
function encodeBody(body: string | FormData | undefined): EncodedBody {
  if (body === undefined) return { body: null };
  if (typeof body === "string") return { body, contentType: "application/json" };
  const streamed = streamFormData(body);
  return { body: streamed, contentType: streamed.contentType };
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
    const { Pool } = await loadUndici();
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

  async send(spec: RequestSpec, options: TransportRequestOptions = {}): Promise<Response> {
    const path = this.#basePath + spec.path + buildQuery(spec.query);
    const idempotent = IDEMPOTENT.has(spec.method);
    // A described multipart body becomes the FormData hooks see (files on disk opened, not read).
    const sent = spec.body instanceof Multipart ? await toFormData(spec.body) : spec.body;
    const body = encodeBody(sent);
    const hooks = options.hooks;
    const hooked = hooks !== undefined && (hooks.beforeSend.length > 0 || hooks.afterSend.length > 0);
    for (let attempt = 0; ; attempt++) {
      try {
        const raw = hooked
          ? await this.#hookedOnce(spec, path, sent, body, options, hooks)
          : await this.#once(spec.method, spec, path, body, options, this.#headers(options, body));
        if (raw.received) return { status: raw.status, body: await keep(raw.received) };
        if (raw.status < 400) return this.#decode(spec, path, raw);
        const error = this.#errorFor(spec, path, raw, options);
        if (!(idempotent && RETRY_STATUSES.has(raw.status) && attempt < this.#options.retries)) throw error;
      } catch (error) {
        if (!this.#retryable(error, idempotent) || attempt >= this.#options.retries) throw error;
      }
      // Loaded here, not imported: importing pocketmap loads no built-in module (bench/README.md).
      const sleep = process.getBuiltinModule("node:timers/promises").setTimeout;
      await sleep(this.#options.retryDelay * 2 ** attempt * (0.5 + Math.random()), undefined, {
        signal: options.signal,
      }).catch(() => {
        throw new AbortError({
          status: 0,
          message: "the request was aborted",
          url: redact(this.#origin + path),
          method: spec.method,
        });
      });
    }
  }

  #retryable(error: unknown, idempotent: boolean): boolean {
    if (error instanceof AbortError) return false;
    if (error instanceof NetworkError) return idempotent || neverSent(error.cause);
    if (error instanceof TimeoutError) return idempotent;
    return false;
  }

  /** A 2xx body as the operation expects it; anything else is an error that never quotes the body. */
  #decode(spec: RequestSpec, path: string, raw: RawResponse): Response {
    const decoded = raw.decoded ?? decodeJson(raw.text, raw.contentType);
    const narrowed = spec.query?.fields !== undefined && spec.query.fields !== null;
    const problem = decoded.ok ? shapeProblem(spec.expect, decoded.value, narrowed) : decoded.problem;
    if (problem === undefined) return { status: raw.status, body: decoded.ok ? decoded.value : undefined };
    throw new PocketBaseError({
      status: raw.status,
      message: `pocketmap: the server answered ${spec.method} ${spec.path} with status ${raw.status} and ${problem}`,
      url: redact(this.#origin + path),
      method: spec.method,
    });
  }

  /**
   * The error for a 4xx/5xx answer. Only PocketBase's JSON `message` and `data` are used, never raw
   * text, and both are scrubbed of the request's secrets: a server (or a proxy) may echo the request.
   */
  #errorFor(
    spec: RequestSpec,
    path: string,
    raw: RawResponse,
    options: TransportRequestOptions,
  ): PocketBaseError {
    const decoded = raw.decoded ?? decodeJson(raw.text, raw.contentType);
    const json = decoded.ok && decoded.value && typeof decoded.value === "object" ? decoded.value : {};
    const body = json as { message?: unknown; data?: unknown; mfaId?: unknown };
    if (raw.status === 401 && typeof body.mfaId === "string" && body.mfaId !== "") {
      // PocketBase's answer to a first factor when the collection asks for a second one.
      return new MFARequiredError({
        status: 401,
        message:
          "pocketmap: this login needs a second factor; pass { mfaId: error.mfaId } to a second auth method (e.g. auth.withOTP)",
        mfaId: body.mfaId,
        url: redact(this.#origin + path),
        method: spec.method,
      });
    }
    const secrets = requestSecrets({
      secrets: spec.secrets,
      token: options.token,
      headers: { ...this.#options.headers, ...options.headers },
      body: spec.body,
    });
    const data = scrubValue(
      body.data && typeof body.data === "object" && !Array.isArray(body.data)
        ? (body.data as Record<string, unknown>)
        : {},
      secrets,
    );
    let base =
      typeof body.message === "string" && body.message
        ? scrubText(body.message, secrets)
        : decoded.ok
          ? `HTTP ${raw.status}`
          : `HTTP ${raw.status} (${describeBody(raw.text, raw.contentType)}, not JSON)`;
    // Cut after scrubbing, so that a cut can never leave part of a secret behind.
    if (base.length > MAX_MESSAGE) base = `${base.slice(0, MAX_MESSAGE)}…`;
    let details = describeFieldErrors(data);
    if (details.length > MAX_MESSAGE) details = `${details.slice(0, MAX_MESSAGE)}…`;
    return errorFromStatus({
      status: raw.status,
      message: details ? `${base} ${details}` : base,
      data,
      url: scrubText(redact(this.#origin + path), secrets),
      method: spec.method,
    });
  }

  /** Every header of a request: the environment's, the call's, the identity's token, the body's type. */
  #headers(options: TransportRequestOptions, body: EncodedBody): Record<string, string> {
    const headers: Record<string, string> = { ...this.#options.headers, ...options.headers };
    if (options.token) headers.authorization = options.token;
    if (body.contentType) headers["content-type"] = body.contentType;
    return headers;
  }

  /**
   * One attempt through the hooks: `beforeSend` sees the request as it will be sent and may change or
   * replace it; `afterSend` sees the answer, errors included, and may replace its data.
   */
  async #hookedOnce(
    spec: RequestSpec,
    path: string,
    sentBody: string | FormData | undefined,
    body: EncodedBody,
    options: TransportRequestOptions,
    hooks: Hooks,
  ): Promise<RawResponse> {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(this.#headers(options, body)))
      headers[name.toLowerCase()] = value;
    let request: HookRequest = { method: spec.method, url: this.#origin + path, headers, body: sentBody };
    for (const hook of hooks.beforeSend) {
      const returned = await hook(request);
      if (returned !== undefined) request = returned;
    }
    const sent = this.#sendable(request);
    let encoded = body;
    let sentHeaders = request.headers;
    if (request.body !== sentBody) {
      // A new body needs its own content type (a multipart boundary, say).
      encoded = encodeBody(request.body);
      sentHeaders = { ...sentHeaders };
      if (encoded.contentType) sentHeaders["content-type"] = encoded.contentType;
    }
    const wantHeaders = hooks.afterSend.length > 0;
    const raw = await this.#once(sent.method, spec, sent.path, encoded, options, sentHeaders, wantHeaders);
    if (hooks.afterSend.length === 0) return raw;
    const decoded = decodeJson(raw.text, raw.contentType);
    const response: HookResponse = {
      request,
      status: raw.status,
      headers: raw.headers ?? {},
      data: decoded.ok ? decoded.value : undefined,
    };
    let replaced = false;
    try {
      for (const hook of hooks.afterSend) {
        const returned = await hook(response);
        if (returned !== undefined) {
          response.data = returned;
          replaced = true;
        }
      }
    } catch (error) {
      await discard(raw.received);
      throw error;
    }
    // A download's bytes are not data a hook replaces (HookResponse.data says so).
    if (raw.received) return raw;
    // What the hooks left (changed in place, or returned) is what is read.
    return replaced || decoded.ok ? { ...raw, decoded: { ok: true, value: response.data } } : raw;
  }

  /** What a beforeSend hook left, checked: pocketmap sends only to its own server, plain headers. */
  #sendable(request: HookRequest): { method: RequestSpec["method"]; path: string } {
    const fail = (why: string) => new InvalidInputError(`pocketmap: a beforeSend hook ${why}`);
    if (!request || typeof request !== "object") throw fail("returned something that is not a request");
    if (!["GET", "POST", "PATCH", "PUT", "DELETE"].includes(request.method)) {
      throw fail(`set method to ${JSON.stringify(request.method)}; expected GET, POST, PATCH, PUT or DELETE`);
    }
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw fail("set url to something that is not a URL");
    }
    if (url.origin !== this.#origin) {
      throw fail(`sent the request to ${url.origin}; pocketmap sends only to its server, ${this.#origin}`);
    }
    if (
      !isPlainObject(request.headers) ||
      Object.values(request.headers).some((v) => typeof v !== "string")
    ) {
      throw fail("set headers to something that is not an object of strings");
    }
    if (
      request.body !== undefined &&
      typeof request.body !== "string" &&
      !(request.body instanceof FormData)
    ) {
      throw fail("set body to something that is not a string, a FormData or undefined");
    }
    return { method: request.method as RequestSpec["method"], path: url.pathname + url.search };
  }

  async #once(
    method: RequestSpec["method"],
    spec: RequestSpec,
    path: string,
    body: EncodedBody,
    options: TransportRequestOptions,
    headers: Record<string, string>,
    wantHeaders = false,
  ): Promise<RawResponse> {
    const timeout = options.timeout ?? this.#options.timeout;
    // One controller per attempt, aborted by the timeout or by the caller's signal: cheaper than
    // AbortSignal.timeout + AbortSignal.any (~2 µs against ~10), and the timer goes with the answer.
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    timer.unref(); // like AbortSignal.timeout's: the request, not its deadline, keeps the process up
    const caller = options.signal;
    const onAbort = () => controller.abort(caller?.reason);
    if (caller?.aborted) onAbort();
    else caller?.addEventListener("abort", onAbort, { once: true });
    const signal = controller.signal;
    const started = performance.now();
    try {
      const streamed = body.body !== null && typeof body.body === "object" ? body.body : undefined;
      const response = await this.#pool.request({
        method,
        path,
        headers: streamed ? { ...headers, "content-length": String(streamed.length) } : headers,
        // undici sends an async iterable as it comes (its types name only Readable streams).
        body: streamed ? (streamed.open() as Readable) : (body.body as string | null),
        signal,
      });
      const status = response.statusCode;
      const length = Number(response.headers["content-length"] ?? Number.NaN);
      const contentType = response.headers["content-type"];
      const type = Array.isArray(contentType) ? contentType[0] : contentType;
      const binary =
        spec.binary ?? (spec.bytesUnlessJson && type !== undefined && !/json/i.test(type) ? {} : undefined);
      const received =
        binary && status < 400
          ? await receive(response.body, binary.to, Number.isNaN(length) ? undefined : length)
          : undefined;
      const text = received ? "" : await response.body.text();
      (options.onResponse ?? this.#options.onResponse)?.({
        method: spec.method,
        path: spec.path,
        status,
        ms: performance.now() - started,
      });
      const raw: RawResponse = { status, text, contentType: type };
      if (received) raw.received = received;
      if (wantHeaders) {
        raw.headers = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined)
            raw.headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
        }
      }
      return raw;
    } catch (cause) {
      // Built only for errors: redacting costs more than the rest of a request's own work.
      const url = redact(this.#origin + path);
      (options.onResponse ?? this.#options.onResponse)?.({
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
      if (timedOut) {
        throw new TimeoutError({
          status: 0,
          message: `no response within ${timeout} ms`,
          url,
          method: spec.method,
          cause,
        });
      }
      const secrets = requestSecrets({
        secrets: spec.secrets,
        token: options.token,
        headers,
        body: spec.body,
      });
      const reason = scrubText(cause instanceof Error ? cause.message : String(cause), secrets);
      if (isNetworkFailure(cause)) {
        throw new NetworkError({
          status: 0,
          message: `request failed: ${reason}`,
          url,
          method: spec.method,
          cause,
        });
      }
      // Failed on this side, before or while sending: not a network failure, and never retried.
      if (refusedArgument(cause)) {
        throw new InvalidInputError(`pocketmap: the request could not be sent: ${reason}`, { cause });
      }
      throw cause;
    } finally {
      clearTimeout(timer);
      caller?.removeEventListener("abort", onAbort);
    }
  }

  async close(): Promise<void> {
    await this.#pool.close();
  }
}
