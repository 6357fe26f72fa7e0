import type Emittery from "emittery";
import { UnauthorizedError } from "../abstract/errors/index.ts";
import type { RequestSpec } from "../abstract/operations.ts";
import type { ResolvedOptions } from "../abstract/options.ts";
import type { EnvironmentEvents, RequestOptions } from "../abstract/types.ts";
import { AuthState } from "./auth.ts";
import { Transport } from "./transport.ts";

/** Where to send requests, found lazily (embedded mode starts a server first). */
export interface ServerTarget {
  url: string;
  email?: string | undefined;
  password?: string | undefined;
  /** Stops what was started to serve this target (embedded mode). */
  stop?: () => Promise<void>;
  /** Embedded mode: the server's process id and the temporary directory it removes. */
  pid?: number;
  tempDir?: string | undefined;
}

interface Connection {
  transport: Transport;
  auth: AuthState;
  target: ServerTarget;
}

/**
 * Runs request specs: connects on first use, adds the auth token, reports each request as an event.
 * Shared by every collection of an environment.
 */
export class Client {
  readonly #target: () => Promise<ServerTarget>;
  readonly #options: ResolvedOptions;
  readonly events: Emittery<EnvironmentEvents>;
  #connection: Promise<Connection> | undefined;
  #closed = false;

  constructor(
    target: () => Promise<ServerTarget>,
    options: ResolvedOptions,
    events: Emittery<EnvironmentEvents>,
  ) {
    this.#target = target;
    this.#options = options;
    this.events = events;
  }

  get options(): Readonly<ResolvedOptions> {
    return this.#options;
  }

  connect(): Promise<Connection> {
    if (this.#closed) return Promise.reject(new Error("pocketmap: this environment is closed"));
    if (!this.#connection) {
      const connection = this.#open();
      this.#connection = connection;
      // A failed start (server binary missing, say) must not be cached forever.
      connection.catch(() => {
        if (this.#connection === connection) this.#connection = undefined;
      });
    }
    return this.#connection;
  }

  async #open(): Promise<Connection> {
    const target = await this.#target();
    const events = this.events;
    const transport = await Transport.open(target.url, {
      timeout: this.#options.timeout,
      retries: this.#options.retries,
      retryDelay: this.#options.retryDelay,
      connections: this.#options.connections,
      headers: this.#options.headers,
      onResponse: (info) => {
        if (events.listenerCount("request") > 0) void events.emit("request", info);
      },
    });
    // The configured identity, whole; embedded mode's generated superuser only when none is configured.
    const identity =
      this.#options.identity ??
      (target.email !== undefined && target.password !== undefined
        ? { email: target.email, password: target.password }
        : undefined);
    const auth = new AuthState(
      async () => transport,
      identity,
      (info) => void events.emit("auth", info),
      this.#options.refreshMargin,
    );
    return { transport, auth, target };
  }

  /** Sends one request and returns the decoded response body. */
  async request<T>(spec: RequestSpec, options?: RequestOptions): Promise<T> {
    const { transport, auth } = await this.connect();
    for (let attempt = 0; ; attempt++) {
      const token = spec.auth === false ? undefined : await auth.token(spec);
      try {
        const response = await transport.send(spec, {
          token,
          signal: options?.signal,
          timeout: options?.timeout,
          headers: options?.headers,
        });
        return response.body as T;
      } catch (error) {
        // A 401 means nothing was done; with credentials at hand, log in again and retry once.
        if (attempt === 0 && error instanceof UnauthorizedError && token && auth.canLogin) {
          auth.invalidate(token);
          continue;
        }
        throw error;
      }
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const connection = await this.#connection?.catch(() => undefined);
    if (!connection) return;
    await connection.transport.close();
    await connection.target.stop?.();
  }
}
