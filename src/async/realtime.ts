// One realtime connection per identity: a Server-Sent Events stream read over undici (no global
// EventSource), parsed by eventsource-parser, with every subscription of that identity multiplexed on
// it. Subscriptions are reference-counted per topic string (topic and options), the whole set is
// resubmitted after each PB_CONNECT, and a lost stream is reopened with backoff and jitter; the
// environment hears `disconnect` and `reconnect` so that it knows changes may have been missed.
import type { Client as UndiciClient } from "undici";
import {
  ClosedError,
  InvalidInputError,
  NetworkError,
  NotFoundError,
  PocketBaseError,
  TimeoutError,
} from "../abstract/errors/index.ts";
import type { RequestSpec } from "../abstract/operations.ts";
import { REALTIME_SILENCE_LIMIT, reconnectDelay, submitSubscriptions } from "../abstract/realtime.ts";
import type { EnvironmentEvents } from "../abstract/types.ts";

/** Who hears a topic: `message` with each delivered payload, `end` once when the connection closes. */
export interface TopicListener {
  message(data: unknown): void;
  end?(): void;
}

export interface RealtimeOptions {
  /** The server URL (connecting first if needed). */
  url: () => Promise<string>;
  /** Sends a request as this connection's identity (adds its Authorization header). */
  request: (spec: RequestSpec) => Promise<unknown>;
  /** Extra headers for the stream request. */
  headers: Record<string, string>;
  /** How long a subscribe may wait for the server to take it, and the stream for its headers (ms). */
  timeout: number;
  emit: <N extends "disconnect" | "reconnect">(name: N, data: EnvironmentEvents[N]) => void;
}

interface Pending {
  key: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** The realtime connection of one identity (one environment). */
export class RealtimeConnection {
  readonly #options: RealtimeOptions;
  /** Topic string -> its listeners (the reference count). */
  readonly #topics = new Map<string, Set<TopicListener>>();
  readonly #pending = new Set<Pending>();
  #loop: Promise<void> | undefined;
  /** Aborts the current stream (and a reconnect wait). */
  #abort: AbortController | undefined;
  #http: UndiciClient | undefined;
  #clientId: string | undefined;
  /** Submissions run one after another; each sends the whole current set. */
  #submitting: Promise<void> = Promise.resolve();
  /** Drops the current stream so that the loop reconnects (a stale client id, a failed submission). */
  #drop: ((error: unknown) => void) | undefined;
  #closed = false;

  constructor(options: RealtimeOptions) {
    this.#options = options;
  }

  /** How many distinct topic strings are subscribed (shared subscriptions count once). */
  get topicCount(): number {
    return this.#topics.size;
  }

  /**
   * Subscribes `listener` to `key` (a full topic string) and resolves, once the server has taken it,
   * to the function that unsubscribes. Fails with the connection's error when it cannot connect, and
   * with a TimeoutError when the server does not take it within the timeout.
   */
  async subscribe(key: string, listener: TopicListener): Promise<() => Promise<void>> {
    if (this.#closed) throw new ClosedError();
    let listeners = this.#topics.get(key);
    const known = listeners !== undefined;
    if (!listeners) {
      listeners = new Set();
      this.#topics.set(key, listeners);
    }
    listeners.add(listener);
    let unsubscribed = false;
    const unsubscribe = async () => {
      if (unsubscribed) return;
      unsubscribed = true;
      await this.#remove(key, listener);
    };
    // A topic already live on a connected stream needs no request.
    if (known && this.#clientId !== undefined && !this.#isPending(key)) return unsubscribe;
    try {
      await this.#await(key);
    } catch (error) {
      unsubscribed = true;
      // Nothing left to hear: no stream is kept (or reopened) for nobody.
      if (this.#detach(key, listener) && this.#topics.size === 0) this.#stop();
      throw error;
    }
    return unsubscribe;
  }

  /** Ends every subscription (feeds end cleanly) and closes the stream; nothing reconnects. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#pending) pending.reject(new ClosedError());
    this.#pending.clear();
    const listeners = [...this.#topics.values()].flatMap((set) => [...set]);
    this.#topics.clear();
    this.#abort?.abort();
    for (const listener of listeners) listener.end?.();
    await this.#loop?.catch(() => {});
    await this.#http?.destroy().catch(() => {});
  }

  #isPending(key: string): boolean {
    for (const pending of this.#pending) if (pending.key === key) return true;
    return false;
  }

  /** Waits until a submission that includes `key` succeeded. */
  #await(key: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(pending);
        reject(
          new TimeoutError({
            status: 0,
            message: `the server did not take the subscription within ${this.#options.timeout} ms`,
            url: "/api/realtime",
            method: "POST",
          }),
        );
      }, this.#options.timeout);
      const pending: Pending = {
        key,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.#pending.add(pending);
      this.#start();
      if (this.#clientId !== undefined) void this.#submit().catch(() => {});
    });
  }

  #detach(key: string, listener: TopicListener): boolean {
    const listeners = this.#topics.get(key);
    if (!listeners?.delete(listener)) return false;
    if (listeners.size > 0) return false;
    this.#topics.delete(key);
    return true;
  }

  async #remove(key: string, listener: TopicListener): Promise<void> {
    if (!this.#detach(key, listener)) return;
    if (this.#topics.size === 0) {
      // Nothing left to hear: close the stream, and stop reconnecting.
      this.#stop();
      return;
    }
    // Never fails: a stale client (a 404) or a broken stream is reopened with the right set anyway.
    if (this.#clientId !== undefined) await this.#submit().catch(() => {});
  }

  /**
   * Closes the stream and forgets its client id at once: the server drops that client with its stream,
   * so a subscribe made before the loop has wound down must wait for the next PB_CONNECT rather than
   * submit under the dead id (whose 404 would otherwise land on the next stream).
   */
  #stop(): void {
    this.#abort?.abort();
    this.#clientId = undefined;
  }

  #start(): void {
    if (this.#loop || this.#closed) return;
    const loop = this.#run().finally(() => {
      if (this.#loop === loop) this.#loop = undefined;
      // Subscribed again while the loop was ending: start anew.
      if (this.#topics.size > 0 && !this.#closed) this.#start();
    });
    this.#loop = loop;
  }

  /** Connects, and reconnects after every loss, while anything is subscribed. */
  async #run(): Promise<void> {
    let attempts = 0;
    /** When the last live stream was lost (undefined while live, or before the first one). */
    let downSince: number | undefined;
    while (!this.#closed && this.#topics.size > 0) {
      const abort = new AbortController();
      this.#abort = abort;
      if (attempts > 0) {
        // Always a turn of the event loop, so that subscribes that just failed have withdrawn first.
        await sleep(reconnectDelay(attempts - 1), abort.signal);
        if (abort.signal.aborted || this.#topics.size === 0) break;
      }
      let reason = "the server closed the stream";
      let connected = false;
      try {
        await this.#stream(abort.signal, () => {
          connected = true;
          if (downSince !== undefined) {
            this.#options.emit("reconnect", { attempts, ms: Math.round(performance.now() - downSince) });
          }
          attempts = 0;
          downSince = undefined;
        });
      } catch (error) {
        reason = describe(error);
        // Those waiting for this connection hear why it failed, rather than wait for their timeout
        // (each subscribe() then withdraws its listener).
        if (!connected) {
          for (const pending of this.#pending) pending.reject(error);
          this.#pending.clear();
        }
      } finally {
        this.#clientId = undefined;
        this.#drop = undefined;
      }
      if (abort.signal.aborted || this.#closed || this.#topics.size === 0) break;
      if (connected) {
        downSince = performance.now();
        this.#options.emit("disconnect", { reason });
      }
      attempts++;
    }
  }

  /** Opens the stream and reads it to its end; `onLive` runs once the set has been submitted. */
  async #stream(signal: AbortSignal, onLive: () => void): Promise<void> {
    const [{ Client }, { createParser }] = await Promise.all([
      import("undici"),
      import("eventsource-parser"),
    ]);
    const url = new URL(await this.#options.url());
    this.#http ??= new Client(url.origin, {
      // No heartbeats come from PocketBase; a stream silent beyond its idle close is dead.
      bodyTimeout: REALTIME_SILENCE_LIMIT,
      headersTimeout: this.#options.timeout,
    });
    if (this.#closed) return;
    const path = `${url.pathname.replace(/\/+$/, "")}/api/realtime`;
    let response: Awaited<ReturnType<UndiciClient["request"]>>;
    try {
      response = await this.#http.request({
        method: "GET",
        path,
        headers: { ...this.#options.headers, accept: "text/event-stream", "cache-control": "no-store" },
        signal,
      });
    } catch (cause) {
      if (signal.aborted) throw cause;
      throw new NetworkError({
        status: 0,
        message: `the realtime stream could not be opened: ${describe(cause)}`,
        url: url.origin + path,
        method: "GET",
        cause,
      });
    }
    if (response.statusCode !== 200) {
      await response.body.dump().catch(() => {});
      throw new PocketBaseError({
        status: response.statusCode,
        message: `the realtime stream was refused with status ${response.statusCode}`,
        url: "/api/realtime",
        method: "GET",
      });
    }
    let failure: unknown;
    const drop = (error: unknown) => {
      failure ??= error;
      response.body.destroy();
    };
    this.#drop = drop;
    const parser = createParser({
      onEvent: (event) => {
        if (event.event === "PB_CONNECT") {
          try {
            this.#clientId = (JSON.parse(event.data) as { clientId: string }).clientId;
          } catch (error) {
            drop(error);
            return;
          }
          // A set that cannot be submitted drops this stream: the loop reconnects.
          this.#submit().then(onLive, drop);
          return;
        }
        const listeners = event.event === undefined ? undefined : this.#topics.get(event.event);
        if (!listeners || listeners.size === 0) return;
        let data: unknown;
        try {
          data = JSON.parse(event.data);
        } catch {
          data = event.data;
        }
        for (const listener of [...listeners]) {
          try {
            listener.message(data);
          } catch (error) {
            // As a throwing event listener's: an uncaught exception, never the stream's failure.
            process.nextTick(() => {
              throw error;
            });
          }
        }
      },
    });
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body)
        parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    } catch (error) {
      if (failure === undefined) throw error;
    }
    if (failure !== undefined) throw failure;
  }

  /** Submits the whole current set (after any submission under way); resolves who waited for it. */
  #submit(): Promise<void> {
    const run = this.#submitting.then(async () => {
      // The stream this client id belongs to: a failure drops that one, never a later one.
      const clientId = this.#clientId;
      const drop = this.#drop;
      if (clientId === undefined || this.#closed) return;
      const keys = [...this.#topics.keys()];
      try {
        await this.#options.request(submitSubscriptions(clientId, keys));
      } catch (error) {
        // A stale client id (the stream ended under us): the reconnect resubmits everything.
        if (error instanceof NotFoundError) drop?.(error);
        throw error;
      }
      const taken = new Set(keys);
      for (const pending of [...this.#pending]) {
        if (!taken.has(pending.key)) continue;
        this.#pending.delete(pending);
        pending.resolve();
      }
    });
    this.#submitting = run.catch(() => {});
    return run;
  }
}

function describe(error: unknown): string {
  if (error instanceof InvalidInputError) return error.message;
  const code = (error as { code?: unknown })?.code;
  const message = error instanceof Error ? error.message : String(error);
  return typeof code === "string" ? `${code}: ${message}` : message;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
