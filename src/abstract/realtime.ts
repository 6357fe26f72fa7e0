// Realtime, described without I/O: topic strings, their options, and the reconnect schedule.
// PocketBase's facts (apis/realtime.go, tools/subscriptions/client.go): a GET /api/realtime stream
// whose first event is PB_CONNECT { clientId }; a POST /api/realtime { clientId, subscriptions }
// replaces the whole set; a topic may carry `?options={"query":{...},"headers":{...}}` (URL-encoded
// JSON) and its SSE event name is the exact topic string, options included.
import { InvalidInputError } from "./errors/index.ts";
import { buildFilter } from "./filter.ts";
import type { RequestSpec } from "./operations.ts";
import { checkOptions } from "./option-checks.ts";
import type { SubscribeOptions } from "./types.ts";
import { assertCollectionName, normalizeExpand, normalizeFields } from "./validate.ts";

/** Record topics: `"*"` (every record of the collection) or one record id. */
export function recordTopic(collection: string, topic: unknown): string {
  assertCollectionName(collection);
  if (topic !== "*" && (typeof topic !== "string" || !/^[A-Za-z0-9_-]{1,255}$/.test(topic))) {
    throw new InvalidInputError(
      `pocketmap: a record topic is "*" or a record id, got ${JSON.stringify(topic)}`,
    );
  }
  return `${collection}/${topic}`;
}

/**
 * The topic string as PocketBase takes it and names its events: the topic, plus its options when
 * there are any. Equal topics with equal options give equal strings (keys are written in a fixed
 * order), so subscriptions can be shared.
 */
export function topicString(topic: string, options?: SubscribeOptions): string {
  if (typeof topic !== "string" || topic === "" || topic.includes("?")) {
    throw new InvalidInputError(
      `pocketmap: a topic is a non-empty string without "?", got ${JSON.stringify(topic)}`,
    );
  }
  if (options === undefined) return topic;
  checkOptions("subscribe", options, "subscribe()");
  const query: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.query ?? {})) {
    if (value !== undefined && value !== null) query[key] = String(value);
  }
  const filter = buildFilter(options.filter, options.params);
  const expand = normalizeExpand(options.expand);
  const fields = normalizeFields(options.fields);
  if (filter !== undefined) query.filter = filter;
  if (expand !== undefined) query.expand = expand;
  if (fields !== undefined) query.fields = fields;
  const headers = options.headers ?? {};
  const sorted = (value: Record<string, string>) =>
    Object.fromEntries(Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1)));
  const payload: { query?: Record<string, string>; headers?: Record<string, string> } = {};
  if (Object.keys(query).length > 0) payload.query = sorted(query);
  if (Object.keys(headers).length > 0) payload.headers = sorted(headers);
  if (payload.query === undefined && payload.headers === undefined) return topic;
  return `${topic}?options=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** The request that replaces a realtime client's whole subscription set. */
export function submitSubscriptions(clientId: string, subscriptions: readonly string[]): RequestSpec {
  return {
    method: "POST",
    path: "/api/realtime",
    body: JSON.stringify({ clientId, subscriptions }),
    expect: "empty",
  };
}

/** First reconnect delay, and the most any one waits (milliseconds). */
export const RECONNECT_BASE = 200;
export const RECONNECT_MAX = 5_000;

/**
 * How long to wait before reconnect step `step` (0 for the first): exponential backoff from
 * RECONNECT_BASE, capped at RECONNECT_MAX, each wait between half and all of that (jitter). The first
 * wait is short (100 to 200 ms: most losses are the server's routine closes) but never nothing, so
 * that a server that drops every stream at once is not hit in a loop. The step starts again from 0
 * only after a stream stayed open for a while (POCKETMAP_REALTIME_STABLE), never merely because one
 * opened.
 */
export function reconnectDelay(step: number, random = Math.random()): number {
  const ceiling = Math.min(RECONNECT_MAX, RECONNECT_BASE * 2 ** Math.max(0, Math.min(step, 30)));
  return Math.round(ceiling * (0.5 + random / 2));
}

/**
 * PocketBase closes a stream that delivered nothing for 5 minutes and sends no heartbeats, so a stream
 * silent for longer than this is dead (a proxy that stalls it, say): it is dropped and reopened.
 */
export const REALTIME_SILENCE_LIMIT = 5.5 * 60_000;
