import Emittery from "emittery";
import type { EnvironmentEvents } from "./types.ts";

/** The environment as an event emitter: emittery's `on`, `once`, `off`, `onAny` and `events`. */
export class EnvironmentEmitter {
  readonly #events = new Emittery<EnvironmentEvents>();

  /** The emitter itself, for the environment that fires the events. */
  protected get emitter(): Emittery<EnvironmentEvents> {
    return this.#events;
  }

  get on(): Emittery<EnvironmentEvents>["on"] {
    return this.#events.on.bind(this.#events);
  }
  get once(): Emittery<EnvironmentEvents>["once"] {
    return this.#events.once.bind(this.#events);
  }
  get off(): Emittery<EnvironmentEvents>["off"] {
    return this.#events.off.bind(this.#events);
  }
  get onAny(): Emittery<EnvironmentEvents>["onAny"] {
    return this.#events.onAny.bind(this.#events);
  }
  get events(): Emittery<EnvironmentEvents>["events"] {
    return this.#events.events.bind(this.#events);
  }
}
