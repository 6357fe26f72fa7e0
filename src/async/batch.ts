import { ForbiddenError, PocketBaseError } from "../abstract/errors/index.ts";
import { batch, encodeBatchRequests, type RequestSpec, settings } from "../abstract/operations.ts";
import type { BatchRequest, BatchResult } from "../abstract/types.ts";
import type { Client } from "./client.ts";

// How many single requests run at once when the server has batch disabled.
const FALLBACK_CONCURRENCY = 8;

interface BatchLimits {
  enabled: boolean;
  maxRequests: number;
}

/** Reads the server's batch settings once per client; identities that may not read settings get the default. */
const limitsByClient = new WeakMap<Client, Promise<BatchLimits>>();

function batchLimits(client: Client): Promise<BatchLimits> {
  let limits = limitsByClient.get(client);
  if (!limits) {
    const fallbackSize = client.options.batchSize;
    limits = client.request<{ batch?: { enabled?: boolean; maxRequests?: number } }>(settings.get()).then(
      (body) => ({
        enabled: body.batch?.enabled !== false,
        maxRequests: body.batch?.maxRequests || fallbackSize,
      }),
      () => ({ enabled: true, maxRequests: fallbackSize }),
    );
    limitsByClient.set(client, limits);
  }
  return limits;
}

function toSpec(request: BatchRequest): RequestSpec {
  const [path, search = ""] = request.url.split("?");
  const query = Object.fromEntries(new URLSearchParams(search));
  // Already validated by encodeBatchRequests.
  return { method: request.method, path: path!, query, body: request.body && JSON.stringify(request.body) };
}

async function oneByOne(client: Client, requests: readonly BatchRequest[]): Promise<BatchResult[]> {
  const results: BatchResult[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const index = next++;
      const body = await client.request(toSpec(requests[index]!));
      results[index] = { status: body === undefined ? 204 : 200, body };
    }
  };
  await Promise.all(Array.from({ length: Math.min(FALLBACK_CONCURRENCY, requests.length) }, worker));
  return results;
}

/**
 * Sends requests through /api/batch in chunks of the server's limit, each chunk one transaction, and
 * returns every result in input order. With batch disabled on the server, falls back to bounded
 * concurrent single requests unless `atomic` is set.
 */
export async function runBatch(
  client: Client,
  requests: readonly BatchRequest[],
  options: { atomic?: boolean } = {},
): Promise<BatchResult[]> {
  const encoded = encodeBatchRequests(requests);
  if (requests.length === 0) return [];
  const limits = await batchLimits(client);
  if (!limits.enabled) return fallback(client, requests, options);
  const results: BatchResult[] = [];
  for (let start = 0; start < requests.length; start += limits.maxRequests) {
    const chunk = encoded.slice(start, start + limits.maxRequests);
    try {
      results.push(...(await client.request<BatchResult[]>(batch(chunk))));
    } catch (error) {
      // Only the first chunk can discover that batch is off; nothing was written by it.
      if (start === 0 && error instanceof ForbiddenError) {
        limitsByClient.set(client, Promise.resolve({ ...limits, enabled: false }));
        return fallback(client, requests, options);
      }
      throw error;
    }
  }
  return results;
}

function fallback(client: Client, requests: readonly BatchRequest[], options: { atomic?: boolean }) {
  if (options.atomic) {
    throw new PocketBaseError({
      status: 0,
      message: "pocketmap: batch requests are disabled on this server, so an atomic batch cannot run",
      url: "/api/batch",
      method: "POST",
    });
  }
  return oneByOne(client, requests);
}
