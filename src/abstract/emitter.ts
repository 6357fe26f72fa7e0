import Emittery from "emittery";
import type { EnvironmentEvents } from "./types.ts";

/** What the code that fires an environment's events needs: whether anyone listens, and emit. */
export type EventSink = Pick<Emittery<EnvironmentEvents>, "listenerCount" | "emit">;

/**
 * The environment as an event emitter: emittery's `on`, `once`, `off`, `onAny` and `events`. The
 * emittery instance is created on first use (it costs more than the rest of an identity from `as()`).
 */
// The environment's own access to its emitter is symbol-keyed: a string-named getter (`env.emitter`)
// would hide a collection of that name, since every other property of an environment is a collection.
/** The key of an environment's emitter (internal). */
export const EMITTER: unique symbol = Symbol("pocketmap.emitter");
/** The key of an environment's event sink (internal). */
export const SINK: unique symbol = Symbol("pocketmap.sink");

export class EnvironmentEmitter {
  #events: Emittery<EnvironmentEvents> | undefined;

  /** The emitter itself, for the environment that fires the events. */
  protected get [EMITTER](): Emittery<EnvironmentEvents> {
    this.#events ??= new Emittery<EnvironmentEvents>();
    return this.#events;
  }

  /** Counts listeners and emits without creating the emitter: nobody listens before it exists. */
  readonly #sink: EventSink = {
    listenerCount: ((name?: keyof EnvironmentEvents) =>
      this.#events?.listenerCount(name) ?? 0) as EventSink["listenerCount"],
    emit: ((name: keyof EnvironmentEvents, data: never) =>
      this.#events?.emit(name, data) ?? Promise.resolve()) as EventSink["emit"],
  };

  /** A getter over a private field: `Object.keys(env)` shows no internal name. */
  protected get [SINK](): EventSink {
    return this.#sink;
  }

  get on(): Emittery<EnvironmentEvents>["on"] {
    return this[EMITTER].on.bind(this[EMITTER]);
  }
  get once(): Emittery<EnvironmentEvents>["once"] {
    return this[EMITTER].once.bind(this[EMITTER]);
  }
  get off(): Emittery<EnvironmentEvents>["off"] {
    return this[EMITTER].off.bind(this[EMITTER]);
  }
  get onAny(): Emittery<EnvironmentEvents>["onAny"] {
    return this[EMITTER].onAny.bind(this[EMITTER]);
  }
  get events(): Emittery<EnvironmentEvents>["events"] {
    return this[EMITTER].events.bind(this[EMITTER]);
  }
}
