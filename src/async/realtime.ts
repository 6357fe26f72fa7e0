// One realtime connection per identity: a Server-Sent Events stream (read by realtime-stream.ts) with
// every subscription of that identity multiplexed on it. Subscriptions are reference-counted per topic
// string (topic and options), the whole set is resubmitted after each PB_CONNECT, and a lost stream is
// reopened with backoff and jitter (reset only by a stream that lasted); the environment hears
// `disconnect` and `reconnect` so that it knows changes may have been missed, and `error` for what
// PocketBase never sends.
import type { Client as UndiciClient } from "undici";
import { ClosedError, NotFoundError, TimeoutError } from "../abstract/errors/index.ts";
import type { RequestSpec } from "../abstract/operations.ts";
import { REALTIME_SILENCE_LIMIT, reconnectDelay, submitSubscriptions } from "../abstract/realtime.ts";
import type { EnvironmentEvents } from "../abstract/types.ts";
import { describe, type EventData, readStream, streamError } from "./realtime-stream.ts";
import { loadUndici } from "./undici.ts";

/** Who hears a topic: `message` with each delivered payload, `end` once when the connection closes. */
export interface TopicListener {
  message(data: unknown): void;
  end?(): void;
  /**
   * Record subscriptions: only `{ action, record }` objects are delivered; other data is reported as
   * an `error` event and dropped. Others get each message's JSON, or its text when it is not JSON.
   */
  records?: boolean;
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
  /** How long a stream must stay open before the reconnect back-off starts again (ms). */
  stableAfter: number;
  /** The largest event accepted, in characters. */
  maxEvent: number;
  emit: <N extends "disconnect" | "reconnect" | "error">(name: N, data: EnvironmentEvents[N]) => void;
  /** Told when the connection starts reading (true) and when it stops for good or until the next subscribe (false). */
  active?: (active: boolean) => void;
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
    this.#options.active?.(true);
    const loop = this.#run().finally(() => {
      if (this.#loop === loop) this.#loop = undefined;
      // Subscribed again while the loop was ending: start anew.
      if (this.#topics.size > 0 && !this.#closed) this.#start();
      else if (!this.#loop) this.#options.active?.(false);
    });
    this.#loop = loop;
  }

  /** Connects, and reconnects after every loss, while anything is subscribed. */
  async #run(): Promise<void> {
    /** Tries since the last live stream was lost (the `reconnect` event tells it). */
    let attempts = 0;
    /** The back-off step: it starts again only after a stream stayed open for `stableAfter`. */
    let step = 0;
    /** When the last live stream was lost (undefined while live, or before the first one). */
    let downSince: number | undefined;
    for (let first = true; !this.#closed && this.#topics.size > 0; first = false) {
      const abort = new AbortController();
      this.#abort = abort;
      if (!first) {
        // Never at once: a server that drops each stream as it opens is not to be hit in a loop.
        await sleep(reconnectDelay(step++), abort.signal);
        if (abort.signal.aborted || this.#topics.size === 0) break;
      }
      let reason = "the server closed the stream";
      let liveAt: number | undefined;
      try {
        await this.#stream(abort.signal, () => {
          liveAt = performance.now();
          if (downSince !== undefined) {
            this.#options.emit("reconnect", { attempts, ms: Math.round(liveAt - downSince) });
          }
          attempts = 0;
          downSince = undefined;
        });
      } catch (error) {
        reason = describe(error);
        // Those waiting for this connection hear why it failed, rather than wait for their timeout
        // (each subscribe() then withdraws its listener).
        if (liveAt === undefined) this.#rejectPending(() => true, error);
      } finally {
        this.#clientId = undefined;
        this.#drop = undefined;
      }
      if (abort.signal.aborted || this.#closed || this.#topics.size === 0) break;
      if (liveAt !== undefined) {
        const now = performance.now();
        if (now - liveAt >= this.#options.stableAfter) step = 0;
        downSince = now;
        this.#options.emit("disconnect", { reason });
      }
      attempts++;
    }
  }

  /** Opens the stream and reads it to its end; `onLive` runs once the set has been submitted. */
  async #stream(signal: AbortSignal, onLive: () => void): Promise<void> {
    const { Client } = await loadUndici();
    const url = new URL(await this.#options.url());
    this.#http ??= new Client(url.origin, {
      // No heartbeats come from PocketBase; a stream silent beyond its idle close is dead.
      bodyTimeout: REALTIME_SILENCE_LIMIT,
      headersTimeout: this.#options.timeout,
    });
    if (this.#closed) return;
    let drop: (error: unknown) => void = () => {};
    await readStream(
      {
        http: this.#http,
        origin: url.origin,
        path: `${url.pathname.replace(/\/+$/, "")}/api/realtime`,
        headers: this.#options.headers,
        signal,
        maxEvent: this.#options.maxEvent,
      },
      {
        open: (dropStream) => {
          drop = dropStream;
          this.#drop = dropStream;
        },
        connect: (clientId) => {
          this.#clientId = clientId;
          // A set that cannot be submitted drops this stream: the loop reconnects.
          this.#submit().then(onLive, drop);
        },
        message: (topic, data) => this.#deliver(topic, data),
        malformed: (error) => this.#options.emit("error", { error }),
      },
    );
  }

  /** Hands one event to its topic's listeners; what cannot be a record event is reported instead. */
  #deliver(key: string, data: EventData): void {
    const listeners = this.#topics.get(key);
    if (!listeners || listeners.size === 0) return;
    const value = "json" in data ? data.json : data.text;
    let reported = false;
    for (const listener of [...listeners]) {
      if (listener.records && !isRecordEvent(value)) {
        if (!reported) {
          reported = true;
          const what = "json" in data ? "is not { action, record }" : "is not JSON";
          const topic = key.split("?")[0];
          this.#options.emit("error", {
            error: streamError(`a realtime event for ${topic} ${what}; it was dropped`),
            topic,
          });
        }
        continue;
      }
      try {
        listener.message(value);
      } catch (error) {
        // As a throwing event listener's: an uncaught exception, never the stream's failure.
        process.nextTick(() => {
          throw error;
        });
      }
    }
  }

  /** Fails the subscribes waiting for a submission that `which` picks. */
  #rejectPending(which: (pending: Pending) => boolean, error: unknown): void {
    for (const pending of [...this.#pending]) {
      if (!which(pending)) continue;
      this.#pending.delete(pending);
      pending.reject(error);
    }
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
        // Refused (a topic over PocketBase's length limit, say): PocketBase changed nothing, and those
        // waiting for this set hear why at once.
        else this.#rejectPending((pending) => keys.includes(pending.key), error);
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

function isRecordEvent(data: unknown): boolean {
  const event = data as { action?: unknown; record?: unknown } | null;
  return typeof event?.action === "string" && typeof event.record === "object" && event.record !== null;
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
