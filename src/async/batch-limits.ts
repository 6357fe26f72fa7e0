// What a client knows of the server's batch settings: read once per client from the settings when the
// identity may, else PocketBase's default size (learned from the server's refusal if smaller). Batch
// seen off is asked about again at the start of a later job, at most every batchRecheck ms, so that
// a batch turned back on is used.
import { ForbiddenError, UnauthorizedError } from "../abstract/errors/index.ts";
import { settings } from "../abstract/operations.ts";
import type { Client } from "./client.ts";

export interface BatchLimits {
  /** false once the server said batch is off (settings, or a 403 from /api/batch). */
  enabled: boolean;
  maxRequests: number;
  /** Whether maxRequests is the server's (from settings or its answer), not the default. */
  known: boolean;
  /** Whether this identity may change settings (it could read them), so could turn batch on. */
  canChange: boolean;
}

/** The server's batch settings, read once per client; identities that may not read them get the default. */
const limitsByClient = new WeakMap<Client, Promise<BatchLimits>>();
/** When each client learned that batch is off (performance.now()). */
const offSince = new WeakMap<Client, number>();

export function batchLimits(client: Client): Promise<BatchLimits> {
  const off = offSince.get(client);
  if (off !== undefined && performance.now() - off >= client.options.batchRecheck) {
    offSince.delete(client);
    limitsByClient.delete(client);
  }
  let limits = limitsByClient.get(client);
  if (!limits) {
    const guess = { enabled: true, maxRequests: client.options.batchSize, known: false, canChange: false };
    const read = client.request<{ batch?: { enabled?: boolean; maxRequests?: number } }>(settings.get()).then(
      (body) => {
        const max = body.batch?.maxRequests;
        if (body.batch?.enabled === false) offSince.set(client, performance.now());
        return {
          enabled: body.batch?.enabled !== false,
          maxRequests: typeof max === "number" && max > 0 ? max : client.options.batchSize,
          known: typeof max === "number" && max > 0,
          canChange: true,
        };
      },
      (error) => {
        // Not allowed to read settings: the default, learned from the server's answer if too large.
        // Any other failure (the network) is not remembered; the next job asks again.
        if (!(error instanceof ForbiddenError || error instanceof UnauthorizedError)) {
          limitsByClient.delete(client);
        }
        return guess;
      },
    );
    limits = read;
    limitsByClient.set(client, limits);
  }
  return limits;
}

/** Keeps what a job learned (batch off, a smaller limit) for the client's later jobs. */
export function remember(client: Client, limits: BatchLimits): void {
  limitsByClient.set(client, Promise.resolve(limits));
  if (!limits.enabled) offSince.set(client, performance.now());
}
