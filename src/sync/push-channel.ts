// The push channel, main side. The worker pushes events and realtime messages as they happen
// ({ push: PushItem[] }). While this thread is free, the port's 'message' listener runs the listeners
// at once. While a call blocks, wait() takes pushes off the port with the reply and buffers them; they
// run once the call has returned and the thread is free again (a setImmediate), before any later push,
// so order is kept and a sync call made inside a listener works. The port is ref'd only while a
// realtime subscription is live: a script waiting for changes stays alive, one that never subscribed
// (or unsubscribed, or closed) exits. The thread is never blocked while waiting, so Ctrl-C ends it.
import type { PushItem, RelayedEvent } from "./protocol.ts";

interface Subscription {
  envId: number;
  callback: (message: unknown) => void;
}

/** Live realtime subscriptions by id: the callbacks stay on this thread; the worker sends the id. */
const subscriptions = new Map<number, Subscription>();
let nextSubscription = 1;
/** Pushes taken off the port during a call, to deliver when this thread is free. */
let buffered: PushItem[] = [];
let flushScheduled = false;
/** Where an environment's relayed events go (set by the worker host, which knows the environments). */
let eventsOf: (envId: number) => ((events: RelayedEvent[]) => void) | undefined = () => undefined;

export function routeEvents(lookup: typeof eventsOf): void {
  eventsOf = lookup;
}

/** Runs `fn`; a listener that throws is an uncaught exception (as an event listener's), after the rest run. */
function guarded(fn: () => void): void {
  try {
    fn();
  } catch (error) {
    process.nextTick(() => {
      throw error;
    });
  }
}

function deliver(items: readonly PushItem[]): void {
  for (const item of items) {
    if ("event" in item) {
      const onEvents = eventsOf(item.envId);
      if (onEvents) guarded(() => onEvents([item.event]));
    } else {
      const found = subscriptions.get(item.subscription);
      if (found) guarded(() => found.callback(item.message));
    }
  }
}

function flushBuffered(): void {
  flushScheduled = false;
  while (buffered.length > 0) {
    const items = buffered;
    buffered = [];
    deliver(items);
  }
}

/** Pushes that arrived during a call: delivered once this thread is free, in order. */
export function bufferPush(items: PushItem[]): void {
  buffered.push(...items);
  if (flushScheduled) return;
  flushScheduled = true;
  setImmediate(flushBuffered);
}

/** Pushes that arrive while this thread is free: any still buffered first, then these, now. */
export function deliverNow(items: readonly PushItem[]): void {
  flushBuffered();
  deliver(items);
}

/** Registers a subscription's callback (before the worker is asked, so no early message is lost). */
export function addSubscription(envId: number, callback: (message: unknown) => void): number {
  const id = nextSubscription++;
  subscriptions.set(id, { envId, callback });
  return id;
}

/** Forgets a subscription; false if it was not live. */
export function removeSubscription(id: number): boolean {
  return subscriptions.delete(id);
}

export function removeSubscriptionsOf(envId: number): void {
  for (const [id, found] of subscriptions) if (found.envId === envId) subscriptions.delete(id);
}

export function hasSubscriptions(): boolean {
  return subscriptions.size > 0;
}

/** Forgets every subscription (their worker is gone); returns the environments that had one. */
export function dropSubscriptions(): Set<number> {
  const envs = new Set([...subscriptions.values()].map((found) => found.envId));
  subscriptions.clear();
  return envs;
}
