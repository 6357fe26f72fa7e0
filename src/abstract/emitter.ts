import Emittery from "emittery";
import type { EnvironmentEvents } from "./types.ts";

/** What the code that fires an environment's events needs: whether anyone listens, and emit. */
export type EventSink = Pick<Emittery<EnvironmentEvents>, "listenerCount" | "emit">;

/**
 * The environment as an event emitter: emittery's `on`, `once`, `off`, `onAny` and `events`. The
 * emittery instance is created on first use (it costs more than the rest of an identity from `as()`).
 */
export class EnvironmentEmitter {
  #events: Emittery<EnvironmentEvents> | undefined;

  /** The emitter itself, for the environment that fires the events. */
  protected get emitter(): Emittery<EnvironmentEvents> {
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
  protected get sink(): EventSink {
    return this.#sink;
  }

  get on(): Emittery<EnvironmentEvents>["on"] {
    return this.emitter.on.bind(this.emitter);
  }
  get once(): Emittery<EnvironmentEvents>["once"] {
    return this.emitter.once.bind(this.emitter);
  }
  get off(): Emittery<EnvironmentEvents>["off"] {
    return this.emitter.off.bind(this.emitter);
  }
  get onAny(): Emittery<EnvironmentEvents>["onAny"] {
    return this.emitter.onAny.bind(this.emitter);
  }
  get events(): Emittery<EnvironmentEvents>["events"] {
    return this.emitter.events.bind(this.emitter);
  }
}
