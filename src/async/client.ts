import type { AsIdentity } from "../abstract/auth-operations.ts";
import type { EventSink } from "../abstract/emitter.ts";
import { ClosedError, UnauthorizedError } from "../abstract/errors/index.ts";
import type { RequestSpec } from "../abstract/operations.ts";
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
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
    if (this.#closed) throw new ClosedError();
    this.#realtime ??= new RealtimeConnection({
      url: async () => (await this.connect()).transport.url,
      request: (spec) => this.request(spec),
      headers: this.#options.headers,
      timeout: this.#options.timeout,
      emit: (name, data) => void this.events.emit(name, data as never),
    });
    return this.#realtime;
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

  /**
   * Sends one request and returns the decoded response body, or with `consume` what it made of a 2xx
   * body (a download).
   */
  async request<T>(
    spec: RequestSpec,
    options?: RequestOptions,
    consume?: TransportSendOptions["consume"],
  ): Promise<T> {
    const { transport, auth } = await this.connect();
    for (let attempt = 0; ; attempt++) {
      const token = spec.token ?? (spec.auth === false ? undefined : await auth.token(spec));
      try {
        const response = await transport.send(spec, {
          token,
          signal: options?.signal,
          timeout: options?.timeout,
          headers: options?.headers,
          onResponse: this.#report,
          hooks: this.#hooks,
          consume,
        });
        return response.body as T;
      } catch (error) {
        // A 401 means nothing was done; with credentials at hand, log in again and retry once.
        if (attempt === 0 && error instanceof UnauthorizedError && token && !spec.token && auth.canLogin) {
          auth.invalidate(token);
          continue;
        }
        throw error;
      }
    }
  }

  /** Closes the pool (and stops an embedded server); an identity from `as()` only stops itself. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#realtime?.close();
    if (this.#owner) await this.#pool.close();
  }
}
