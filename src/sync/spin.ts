// Bounded busy-waiting for the sync kind's round trip, on both sides of it. A thread that parks
// (Atomics.wait, or an idle event loop) lets its CPU go idle, and waking a thread on an idle CPU of
// another core costs tens of microseconds on a VM: twice per call, once each way. Spinning a few
// tens of microseconds first catches an answer (main thread) or the next call (worker) that comes that
// soon, with no wake at all. Measured in bench/README.md, "Cutting the round trip".

/** Atomics.pause (V8 13.3+, Node 24) tells the CPU it is in a spin loop; Node 22 has none. */
const pause = (Atomics as { pause?: () => void }).pause?.bind(Atomics);

/** After a spin that found nothing, this many later waits park at once, and the next one tries again. */
const SKIP_AFTER_MISS = 15;

/**
 * An adaptive spin: spins up to `microseconds` while that pays. After a miss it stays off for
 * SKIP_AFTER_MISS waits, so a program whose calls take longer (an HTTP request) or come further apart
 * burns at most one short spin in sixteen, and a spin that cannot succeed (the other thread waiting
 * for this CPU) stops at once.
 */
export class Spin {
  readonly #microseconds: number;
  #skip = 0;

  constructor(microseconds: number) {
    this.#microseconds = microseconds;
  }

  /** Calls `poll` until it returns something or the time is up; undefined at once while it is off. */
  poll<T>(poll: () => T | undefined): T | undefined {
    if (this.#skip > 0) {
      this.#skip--;
      return undefined;
    }
    const end = performance.now() + this.#microseconds / 1000;
    for (;;) {
      const found = poll();
      if (found !== undefined) {
        this.#skip = 0;
        return found;
      }
      if (performance.now() >= end) break;
      pause?.();
    }
    this.#skip = SKIP_AFTER_MISS;
    return undefined;
  }
}
