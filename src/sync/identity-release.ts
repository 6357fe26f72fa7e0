// Identities (`env.as()`) the program no longer holds are released, as the async kind's are by the
// garbage collector: their registration here and their environment in the worker. A FinalizationRegistry
// hears when an identity's forwarder (which its environment, collections and services all hold) is
// collected; the release itself waits for the next call to the worker (a finalizer must not block),
// and for the identity's subscriptions and change feeds to end (they still deliver to the program).
import { pushesTo } from "./push-channel.ts";

/** Identities whose forwarder was collected, not yet released. */
const unheld = new Set<number>();
const registry = new FinalizationRegistry<number>((envId) => void unheld.add(envId));

/** Releases identity `envId` once `forwarder` is unreachable. */
export function releaseWhenUnheld(forwarder: object, envId: number): void {
  registry.register(forwarder, envId);
}

/** Whether any identity waits to be released (checked before every call: no allocation). */
export const hasUnheld = (): boolean => unheld.size > 0;

/** The unheld identities that no subscription keeps, taken out (to be closed by the caller). */
export function takeUnheld(): number[] {
  const released: number[] = [];
  for (const envId of unheld) {
    if (pushesTo(envId)) continue;
    unheld.delete(envId);
    released.push(envId);
  }
  return released;
}
