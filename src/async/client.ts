import type { AsIdentity } from "../abstract/auth-operations.ts";
import type { EventSink } from "../abstract/emitter.ts";
import {
  BadRequestError,
  ClosedError,
  errorFromStatus,
  ForbiddenError,
  NotFoundError,
  PocketBaseError,
  UnauthorizedError,
} from "../abstract/errors/index.ts";
import { fileToken, health, type RequestSpec } from "../abstract/operations.ts";
import type { ResolvedOptions } from "../abstract/options.ts";
import type { ServerTarget } from "../abstract/target.ts";
import type { RequestOptions } from "../abstract/types.ts";
import { AuthState } from "./auth.ts";
import { RealtimeConnection } from "./realtime.ts";
import { type Hooks, Transport, type TransportRequestOptions as TransportSendOptions } from "./transport.ts";

interface Opened {
  transport: Transport;
  target: ServerTarget;
}

interface Connection extends Opened {
  auth: AuthState;
}

/**
 * The connection pool to one server, opened on first use: shared by an environment and every
 * identity derived from it with `as()`; closed with the environment that opened it.
 */
export class Pool {
  readonly #target: () => Promise<ServerTarget>;
  readonly #options: ResolvedOptions;
  #opened: Promise<Opened> | undefined;
  /** The realtime connections reading on this pool, any identity's: closing the pool closes them. */
  readonly #realtime = new Set<RealtimeConnection>();
  closed = false;

  constructor(target: () => Promise<ServerTarget>, options: ResolvedOptions) {
    this.#target = target;
    this.#options = options;
  }

  open(): Promise<Opened> {
    if (this.closed) return Promise.reject(new ClosedError());
    if (!this.#opened) {
      const opened = this.#open();
      this.#opened = opened;
      // A failed start (server binary missing, say) must not be cached forever.
      opened.catch(() => {
        if (this.#opened === opened) this.#opened = undefined;
      });
    }
    return this.#opened;
  }

  async #open(): Promise<Opened> {
    const target = await this.#target();
    const transport = await Transport.open(target.url, {
      timeout: this.#options.timeout,
      retries: this.#options.retries,
      retryDelay: this.#options.retryDelay,
      connections: this.#options.connections,
      headers: this.#options.headers,
    });
    return { transport, target };
  }

  /** Whether /api/health answered as PocketBase does, once asked (after the first 404). */
  #isPocketBase: Promise<string | undefined> | undefined;

  /**
   * A 404, with a word on the URL when the server at it does not answer /api/health as PocketBase does
   * (a URL with a wrong path, say `…/pb`, gets 404s for everything). Asked once per pool.
   */
  async notFound(error: PocketBaseError, transport: Transport): Promise<PocketBaseError> {
    this.#isPocketBase ??= transport.send(health(), { timeout: this.#options.timeout }).then(
      (response) => {
        const body = response.body as { code?: unknown } | undefined;
        return body?.code === 200 ? undefined : "its answer is not PocketBase's";
      },
      (failure: unknown) =>
        failure instanceof PocketBaseError && failure.status !== 0
          ? `it answered ${failure.status}`
          : "it did not answer",
    );
    const problem = await this.#isPocketBase;
    if (problem === undefined) return error;
    return errorFromStatus({
      status: error.status,
      message: `${error.message} (pocketmap: ${transport.url} may not be a PocketBase server, or not its root: ${problem} at ${transport.url}/api/health. Check the url option or POCKETBASE_URL)`,
      data: error.data,
      url: error.url,
      method: error.method,
      cause: error,
    });
  }

  /** Keeps a realtime connection while it reads (only then: an idle identity costs the pool nothing). */
  track(connection: RealtimeConnection, active: boolean): void {
    if (active) this.#realtime.add(connection);
    else this.#realtime.delete(connection);
  }

  /** Closes every identity's realtime connection, then the pool (and an embedded server). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.#realtime].map((connection) => connection.close()));
    this.#realtime.clear();
    const opened = await this.#opened?.catch(() => undefined);
    if (!opened) return;
    await opened.transport.close();
    await opened.target.stop?.();
  }
}

/**
 * Runs request specs for one identity: connects on first use, adds the identity's token, reports each
 * request as an event of its own environment. Shared by every collection of an environment; `as()`
 * derives another identity on the same pool.
 */
export class Client {
  readonly #pool: Pool;
  readonly #options: ResolvedOptions;
  readonly events: EventSink;
  /** Set for a derived identity at once; for the environment's own, when the server is known. */
  #auth: AuthState | undefined;
  /** Whether this client owns the pool (closing it closes the pool) or was derived with `as()`. */
  readonly #owner: boolean;
  #closed = false;
  /** This identity's realtime connection: each identity hears what its own rules allow. */
  #realtime: RealtimeConnection | undefined;
  readonly #report: TransportSendOptions["onResponse"];
  readonly #hooks: Hooks | undefined;

  constructor(
    target: (() => Promise<ServerTarget>) | { pool: Pool; identity: AsIdentity },
    options: ResolvedOptions,
    events: EventSink,
  ) {
    this.#options = options;
    this.events = events;
    this.#report = (info) => {
      if (events.listenerCount("request") > 0) void events.emit("request", info);
    };
    const { beforeSend, afterSend } = options;
    this.#hooks = beforeSend.length > 0 || afterSend.length > 0 ? { beforeSend, afterSend } : undefined;
    if (typeof target === "function") {
      this.#pool = new Pool(target, options);
      this.#owner = true;
    } else {
      this.#pool = target.pool;
      this.#owner = false;
      this.#auth = this.#authState(target.identity);
    }
  }

  get options(): Readonly<ResolvedOptions> {
    return this.#options;
  }

  /** Per-send options every request of this identity carries: its own `request` events, the hooks. */
  get sendOptions(): TransportSendOptions {
    return { onResponse: this.#report, hooks: this.#hooks };
  }

  /** A client acting as `identity` on the same pool; opens nothing. */
  as(identity: AsIdentity, events: EventSink): Client {
    if (this.#closed || this.#pool.closed) throw new ClosedError();
    return new Client({ pool: this.#pool, identity }, this.#options, events);
  }

  #authState(identity: ConstructorParameters<typeof AuthState>[1]): AuthState {
    const pool = this.#pool;
    return new AuthState(
      async () => (await pool.open()).transport,
      identity,
      (info) => {
        if (this.events.listenerCount("auth") > 0) void this.events.emit("auth", info);
      },
      this.#options.refreshMargin,
      () => this.sendOptions,
    );
  }

  /** This identity's realtime connection, made on first use (it connects on the first subscription). */
  get realtime(): RealtimeConnection {
    if (this.#closed || this.#pool.closed) throw new ClosedError();
    if (this.#realtime) return this.#realtime;
    const pool = this.#pool;
    const connection: RealtimeConnection = new RealtimeConnection({
      url: async () => (await this.connect()).transport.url,
      request: (spec) => this.request(spec),
      headers: this.#options.headers,
      timeout: this.#options.timeout,
      stableAfter: this.#options.realtimeStable,
      maxEvent: this.#options.realtimeMaxEvent,
      emit: (name, data) => void this.events.emit(name, data as never),
      active: (active) => pool.track(connection, active),
    });
    this.#realtime = connection;
    return connection;
  }

  async connect(): Promise<Connection> {
    if (this.#closed) throw new ClosedError();
    const opened = await this.#pool.open();
    // The configured identity, whole; embedded mode's generated superuser only when none is configured.
    this.#auth ??= this.#authState(
      this.#options.identity ??
        (opened.target.email !== undefined && opened.target.password !== undefined
          ? { email: opened.target.email, password: opened.target.password }
          : undefined),
    );
    return { ...opened, auth: this.#auth };
  }

  /** A short-lived token for this identity's protected files (env.fileToken, downloads, backups). */
  async fileToken(options?: RequestOptions): Promise<string> {
    return (await this.request<{ token: string }>(fileToken(), options)).token;
  }

  /** Sends one request and returns the decoded response body (a download's bytes or saved file). */
  async request<T>(spec: RequestSpec, options?: RequestOptions): Promise<T> {
    const { transport, auth } = await this.connect();
    for (let attempt = 0; ; attempt++) {
      // undefined, with `guest`: this environment has no identity at all.
      let token: string | undefined;
      let guest = false;
      let sent = false;
      try {
        token = spec.token ?? (spec.auth === false ? undefined : await auth.token(spec));
        guest = token === undefined && spec.auth !== false;
        sent = true;
        const response = await transport.send(spec, {
          token,
          signal: options?.signal,
          timeout: options?.timeout,
          headers: options?.headers,
          onResponse: this.#report,
          hooks: this.#hooks,
        });
        return response.body as T;
      } catch (error) {
        // A 401 means nothing was done; with credentials at hand, log in again and retry once.
        if (attempt === 0 && error instanceof UnauthorizedError && token && !spec.token && auth.canLogin) {
          auth.invalidate(token);
          continue;
        }
        throw await this.#explained(error, spec, transport, guest, sent);
      }
    }
  }

  /** A failure, with what a newcomer needs to act on it (see each helper). */
  async #explained(
    error: unknown,
    spec: RequestSpec,
    transport: Transport,
    guest: boolean,
    sent: boolean,
  ): Promise<unknown> {
    if (guest && isRefusal(error)) return asGuest(error);
    if (error instanceof NotFoundError) return this.#pool.notFound(error, transport);
    // The login's own failure (it names the identity): this request was not sent, so its filter or
    // sort is no part of the explanation.
    if (!sent) return error;
    if (error instanceof BadRequestError) return withQuery(error, spec, PARSED, VAGUE_400);
    if (error instanceof PocketBaseError && error.status >= 200 && error.status < 300) {
      return withQuery(error, spec, ["fields"], EMPTY_200);
    }
    return error;
  }

  /**
   * Closes the pool (and stops an embedded server), and with it every identity derived with `as()`;
   * an identity from `as()` only stops itself.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#realtime?.close();
    if (this.#owner) await this.#pool.close();
  }
}

const isRefusal = (error: unknown): error is PocketBaseError =>
  error instanceof UnauthorizedError || error instanceof ForbiddenError;

/** A refusal of a request sent with no identity at all: says so, and how to give one. */
function asGuest(error: PocketBaseError): PocketBaseError {
  return errorFromStatus({
    status: error.status,
    message: `${error.message} (pocketmap: this environment has no identity, so the request went as a guest: no token, email or password was given to setup(), nor POCKETBASE_TOKEN, or POCKETBASE_EMAIL and POCKETBASE_PASSWORD, in the environment or .env. Give one there, or act as someone with env.as(token))`,
    data: error.data,
    url: error.url,
    method: error.method,
    cause: error,
  });
}

/** The query parameters PocketBase parses, which a vague 400 ("Something went wrong…") is about. */
const PARSED = ["filter", "sort", "expand", "fields"] as const;
// PocketBase ignores an expand or a field name it does not know (test/guidance.test.ts): what it
// refuses so is a sort or filter field it does not know, a filter it cannot parse, or a fields
// modifier it cannot parse (`title:excerpt(abc)`).
const VAGUE_400 =
  "a sort or filter field that does not exist, a filter PocketBase cannot parse, or a fields modifier it cannot parse is refused so";
/** PocketBase 0.23 answers a fields modifier it cannot parse with a 200 and an empty body. */
const EMPTY_200 = "PocketBase 0.23 answers so when it cannot parse a fields modifier such as :excerpt(…)";

/**
 * A failure said with the request's filter, sort, expand and fields (not secret, and what PocketBase
 * refused when it says only "Something went wrong while processing your request."): a 400 with no
 * field errors, or a 2xx body that is not what was expected, and why those can be the cause.
 */
function withQuery(
  error: PocketBaseError,
  spec: RequestSpec,
  names: readonly (typeof PARSED)[number][],
  reason: string,
): PocketBaseError {
  if (Object.keys(error.data).length > 0) return error;
  const parts = names.flatMap((name) => {
    const value = spec.query?.[name];
    return value === undefined || value === null || value === ""
      ? []
      : [`${name}: ${JSON.stringify(String(value))}`];
  });
  if (parts.length === 0) return error;
  return errorFromStatus({
    status: error.status,
    message: `${error.message} (the request's ${parts.join(", ")}; ${reason})`,
    data: error.data,
    url: error.url,
    method: error.method,
    cause: error,
  });
}
