// Every default in one place, as plain values. The POCKETMAP_* variables named beside them are read and
// validated once, at setup(), by src/env/config.ts; nothing here reads the process environment.

/** The PocketBase release pocketmap installs and tests against (POCKETMAP_POCKETBASE_VERSION). */
export const POCKETBASE_VERSION = "0.40.6";
/** The oldest Node pocketmap runs on (package.json's engines); setup() refuses an older one. */
export const MIN_NODE = "22.19.0";
/** Per-request timeout in milliseconds (POCKETMAP_TIMEOUT). */
export const DEFAULT_TIMEOUT = 30_000;
/** Retries of idempotent requests and of connections that never opened (POCKETMAP_RETRIES). */
export const DEFAULT_RETRIES = 2;
/** First retry delay in milliseconds; doubles each attempt (POCKETMAP_RETRY_DELAY). */
export const DEFAULT_RETRY_DELAY = 100;
/** Keep-alive connections per environment (POCKETMAP_CONNECTIONS). */
export const DEFAULT_CONNECTIONS = 16;
/** Records per page when iterating or fetching a full list (POCKETMAP_PAGE_SIZE); PocketBase caps it at 1000. */
export const DEFAULT_PAGE_SIZE = 1000;
/** The largest page PocketBase serves. */
export const MAX_PAGE_SIZE = 1000;
/** Batch chunk size when the server's batch.maxRequests cannot be read (POCKETMAP_BATCH_SIZE). */
export const DEFAULT_BATCH_SIZE = 50;
/**
 * A client that saw batch disabled asks the server again at the start of a bulk job once this many
 * milliseconds have passed, so a batch turned back on is used (POCKETMAP_BATCH_RECHECK).
 */
export const BATCH_RECHECK_INTERVAL = 30_000;
/** Refresh the superuser token when less than this many milliseconds of it remain (POCKETMAP_REFRESH_MARGIN). */
export const TOKEN_REFRESH_MARGIN = 60_000;
/** How long embedded mode waits for /api/health, in milliseconds (POCKETMAP_STARTUP_TIMEOUT). */
export const EMBEDDED_STARTUP_TIMEOUT = 30_000;
/**
 * The batch API of a temporary embedded server (pocketmap's own, deleted at exit): on, with the limits
 * docs/batch.md advises, so bulk jobs run as transactions from the start. A kept `dir` is left alone.
 */
export const TEMPORARY_SERVER_BATCH = { maxRequests: 500, timeout: 30 } as const;
/** Deepest relation path PocketBase expands. */
export const MAX_EXPAND_DEPTH = 6;
/** Longest collection name or record id accepted. */
export const MAX_NAME_LENGTH = 255;
/** Records handed from the sync worker to the main thread per round trip while iterating (POCKETMAP_SYNC_CHUNK). */
export const SYNC_ITERATION_CHUNK = 500;
/**
 * How long a realtime stream must stay open, in milliseconds, before its reconnect back-off starts
 * again from the first step (POCKETMAP_REALTIME_STABLE): a server that accepts and then drops every
 * stream is retried ever more slowly, not in a loop.
 */
export const REALTIME_STABLE_AFTER = 10_000;
/**
 * The largest realtime event accepted, in characters of its decoded text (about bytes, for JSON)
 * (POCKETMAP_REALTIME_MAX_EVENT). A larger one is reported, dropped with its stream, and the stream
 * reopened: one endless line cannot grow memory without bound.
 */
export const REALTIME_MAX_EVENT = 16 * 1024 * 1024;
