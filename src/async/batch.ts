// Batch jobs: env.batch() and the *Many helpers. Requests go through /api/batch in chunks of the
// server's batch.maxRequests, each chunk one transaction, one chunk at a time; with batch disabled on
// the server, as bounded concurrent single requests. Results come back in input order. A write is
// never sent twice: chunks and single requests are not retried once they may have reached the server
// (the transport retries a write only when its connection never opened).
import {
  type FailedRequest,
  failedRequest,
  isRecordResult,
  lengthLimit,
  MISSING_COLLECTION,
} from "../abstract/batch-answers.ts";
import {
  batchSpec,
  type PreparedRequest,
  prepareBatchRequests,
  recordKey,
  singleSpec,
  upsertTarget,
} from "../abstract/batch-requests.ts";
import {
  BadRequestError,
  BatchError,
  type FieldError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  PocketBaseError,
} from "../abstract/errors/index.ts";
import { checkOptions } from "../abstract/option-checks.ts";
import type { BatchOptions, BatchRequest, BatchResult } from "../abstract/types.ts";
import { type BatchLimits, batchLimits, remember } from "./batch-limits.ts";
import type { Client } from "./client.ts";
import { outcomeUnknown } from "./failures.ts";

/** How many single requests run at once when the server has batch disabled. */
export const FALLBACK_CONCURRENCY = 8;
/** With batch disabled, onProgress is called every this many answers (and at the end). */
const FALLBACK_PROGRESS_STEP = 50;

/** Clients that already printed the "batch is disabled" notice. */
const noticed = new WeakSet<Client>();

const ENABLE_HINT =
  'turn batch on (env.send("/api/settings", { method: "PATCH", body: { batch: { enabled: true } } }), or ' +
  "Dashboard > Settings > Application > Batch API) to make this ~5x faster; see docs/batch.md";

/** Options of runBatch: the public ones, and what the helpers need. */
export interface RunOptions extends BatchOptions {
  /** deleteMany: a DELETE of a record that does not exist is a result `{ status: 404 }`, not a failure. */
  missingIsResult?: boolean;
  /** The record helpers: every result of a chunk must be a record (a 2xx whose body has a string id). */
  records?: boolean;
  /** The record helpers: what the caller called its inputs, for errors about them (`docs[3].email`). */
  inputs?: "docs" | "patches";
}

/** Checks batch options (unknown keys, a non-function onProgress) before anything is sent. */
export function assertBatchOptions(options: BatchOptions | undefined, where: string): void {
  checkOptions("batch", options, where);
}

/**
 * Sends requests as a batch job and returns every result in input order. Every request is validated
 * and encoded before the first is sent. See the file comment, and docs/batch.md.
 */
export async function runBatch(
  client: Client,
  requests: readonly BatchRequest[],
  options: RunOptions = {},
): Promise<BatchResult[]> {
  const { inputs } = options;
  const prepared = prepareBatchRequests(requests, inputs && ((index) => `${inputs}[${index}]`));
  if (prepared.length === 0) return [];
  return new Job(client, prepared, options).run();
}

class Job {
  readonly #client: Client;
  readonly #requests: readonly PreparedRequest[];
  readonly #options: RunOptions;
  readonly #results: (BatchResult | undefined)[];
  #done = 0;
  #reported = 0;
  #progressError: { error: unknown } | undefined;

  constructor(client: Client, requests: readonly PreparedRequest[], options: RunOptions) {
    this.#client = client;
    this.#requests = requests;
    this.#options = options;
    this.#results = new Array(requests.length);
  }

  get #total(): number {
    return this.#requests.length;
  }

  async run(): Promise<BatchResult[]> {
    const results = await this.#run();
    if (this.#progressError) throw this.#progressError.error;
    return results;
  }

  async #run(): Promise<BatchResult[]> {
    const { atomic } = this.#options;
    let limits = await batchLimits(this.#client);
    if (atomic && limits.known && this.#total > limits.maxRequests)
      throw tooBig(this.#total, limits.maxRequests);
    if (!limits.enabled) return this.#fallback(0, limits);
    let start = 0;
    while (start < this.#total) {
      // An atomic job is one chunk; the server refuses it whole if it is too large.
      const end = atomic ? this.#total : Math.min(this.#total, start + limits.maxRequests);
      const indices: number[] = [];
      for (let index = start; index < end; index++)
        if (this.#results[index] === undefined) indices.push(index);
      if (indices.length === 0) {
        start = end;
        continue;
      }
      let answer: BatchResult[];
      try {
        answer = await this.#client.request<BatchResult[]>(batchSpec(indices.map((i) => this.#requests[i]!)));
      } catch (error) {
        if (error instanceof ForbiddenError) {
          // "Batch requests are not allowed.": nothing of this chunk was written.
          limits = { ...limits, enabled: false };
          remember(this.#client, limits);
          if (atomic) throw disabled(limits, error);
          return this.#fallback(start, limits);
        }
        const max = lengthLimit(error);
        if (max !== undefined && max < indices.length) {
          // The chunk was refused as too large before anything ran: learn the server's limit.
          limits = { ...limits, maxRequests: max, known: true };
          remember(this.#client, limits);
          if (atomic) throw tooBig(this.#total, max);
          continue;
        }
        const failed = failedRequest(error);
        // A failure naming a request this chunk does not have is the chunk's (a garbled answer).
        if (failed && failed.position < indices.length) {
          const index = indices[failed.position]!;
          if (this.#isMissingDelete(index, failed.response)) {
            // deleteMany: that id did not exist. The chunk was rolled back; send it again without it.
            this.#settle(index, { status: 404, body: null });
            continue;
          }
          throw this.#failure(index, failed.response, error as BadRequestError);
        }
        throw this.#chunkFailure(indices, error);
      }
      if (!Array.isArray(answer) || answer.length !== indices.length) {
        throw this.#chunkFailure(
          indices,
          new PocketBaseError({
            status: 200,
            message: `pocketmap: /api/batch answered ${Array.isArray(answer) ? answer.length : "no"} results for ${indices.length} requests`,
            url: "/api/batch",
            method: "POST",
          }),
          true,
        );
      }
      const garbled = this.#options.records ? answer.findIndex((result) => !isRecordResult(result)) : -1;
      if (garbled >= 0) {
        throw this.#chunkFailure(
          indices,
          new PocketBaseError({
            status: 200,
            message: `pocketmap: /api/batch answered status ${answer[garbled]!.status} without a record for input ${indices[garbled]}, where the chunk's records were expected`,
            url: "/api/batch",
            method: "POST",
          }),
          true,
        );
      }
      indices.forEach((index, k) => {
        this.#results[index] = answer[k];
      });
      this.#done += indices.length;
      this.#progress(true);
      start = end;
    }
    return this.#results as BatchResult[];
  }

  /** With batch disabled: single requests, a few at a time, from input `start` on. */
  async #fallback(start: number, limits: BatchLimits): Promise<BatchResult[]> {
    if (this.#options.atomic) throw disabled(limits);
    // Not for a single request: "one by one" says nothing then, and one-record writes (a CLI set or
    // rm, a live replication's changes) would print it in the middle of their output.
    const count = this.#total - start;
    if (count > 1 && limits.canChange && !noticed.has(this.#client) && !this.#client.options.quiet) {
      noticed.add(this.#client);
      process.stderr.write(
        `pocketmap: batch requests are disabled on this server; sending ${count} requests one by one. You may ${ENABLE_HINT}.\n`,
      );
    }
    let next = start;
    const state: { failure?: { index: number; error: unknown } } = {};
    const unknown: number[] = [];
    // Inputs for the same record go one after another, in input order, as in one batch transaction
    // (the last write wins); each waits for the one before it on its record's lane.
    const lanes = new Map<string, Promise<void>>();
    const send = async (index: number) => {
      try {
        this.#settle(index, await this.#single(this.#requests[index]!));
      } catch (error) {
        if (this.#isMissingDelete(index, error)) {
          this.#settle(index, { status: 404, body: null });
          return;
        }
        if (outcomeUnknown(error)) unknown.push(index);
        // Stop taking new inputs; those already sent finish. The earliest failure is reported.
        const earlier = state.failure as { index: number } | undefined;
        if (!earlier || index < earlier.index) state.failure = { index, error };
      }
    };
    const worker = async () => {
      while (!state.failure && next < this.#total) {
        const index = next++;
        if (this.#results[index] !== undefined) continue;
        const key = recordKey(this.#requests[index]!);
        if (key === undefined) {
          await send(index);
          continue;
        }
        const before = lanes.get(key);
        const mine = (before ?? Promise.resolve()).then(() => (state.failure ? undefined : send(index)));
        lanes.set(key, mine);
        await mine;
        if (lanes.get(key) === mine) lanes.delete(key);
      }
    };
    const width = Math.min(FALLBACK_CONCURRENCY, this.#total - start);
    await Promise.all(Array.from({ length: width }, worker));
    if (state.failure) {
      const { index, error } = state.failure;
      const cause = error instanceof PocketBaseError ? error : undefined;
      const unknownOutcome = unknown.includes(index);
      throw new BatchError({
        status: cause?.status ?? 0,
        message: this.#describe(
          index,
          (error as Error)?.message ?? String(error),
          unknown,
          `sent one by one because batch is disabled${limits.canChange ? `; ${ENABLE_HINT}` : ""}`,
          unknownOutcome,
        ),
        data: cause?.data ?? {},
        url: cause?.url,
        method: cause?.method,
        cause: error,
        index,
        written: this.#written(),
        unknown,
        results: this.#plainResults(),
      });
    }
    this.#progress(true);
    return this.#results as BatchResult[];
  }

  /** One request on its own; a PUT upsert (a batch-only route) is update-else-create, as set() does. */
  async #single(request: PreparedRequest): Promise<BatchResult> {
    const upsert = upsertTarget(request);
    if (!upsert) {
      const body = await this.#client.request(singleSpec(request));
      return { status: body === undefined ? 204 : 200, body: body ?? null };
    }
    const { id, ...rest } = request.body ?? {};
    const create = async () => ({
      status: 200,
      body: await this.#client.request(singleSpec({ ...request, method: "POST" })),
    });
    if (typeof id !== "string" || id === "") return create();
    const base = `/api/collections/${upsert.collection}/records`;
    const update = () =>
      this.#client.request(
        singleSpec({ ...request, method: "PATCH", url: `${base}/${id}${upsert.search}` }, rest),
      );
    try {
      return { status: 200, body: await update() };
    } catch (error) {
      if (!(error instanceof NotFoundError) || MISSING_COLLECTION.test(error.message)) throw error;
    }
    try {
      return { ...(await create()), status: 200 };
    } catch (error) {
      // Created by someone else between the two requests: it exists now, so update it.
      const code = (error as PocketBaseError)?.data?.id as Partial<FieldError> | undefined;
      if (!(error instanceof BadRequestError && code?.code === "validation_not_unique")) throw error;
      return { status: 200, body: await update() };
    }
  }

  #isMissingDelete(index: number, failure: unknown): boolean {
    if (!this.#options.missingIsResult || this.#requests[index]!.method !== "DELETE") return false;
    const { status, message } = (failure ?? {}) as FailedRequest;
    return status === 404 && !MISSING_COLLECTION.test(String(message ?? ""));
  }

  #settle(index: number, result: BatchResult): void {
    this.#results[index] = result;
    this.#done++;
    this.#progress(false);
  }

  /** Calls onProgress after each chunk, or every few single answers; a throw is kept for the end. */
  #progress(chunk: boolean): void {
    const { onProgress } = this.#options;
    if (!onProgress || this.#done === this.#reported) return;
    if (!chunk && this.#done - this.#reported < FALLBACK_PROGRESS_STEP && this.#done < this.#total) return;
    this.#reported = this.#done;
    try {
      onProgress({ done: this.#done, total: this.#total });
    } catch (error) {
      this.#progressError ??= { error };
    }
  }

  #written(): number[] {
    const written: number[] = [];
    this.#results.forEach((result, index) => {
      if (result && result.status < 400) written.push(index);
    });
    return written;
  }

  #plainResults(): (BatchResult | null)[] {
    return Array.from(this.#results, (result) => (result && result.status < 400 ? result : null));
  }

  /** "… input 12 (POST /api/…): …; inputs 0-9 were written, input 12 and the rest were not." */
  #describe(index: number, reason: string, unknown: readonly number[], how: string, unknownOutcome = false) {
    const request = this.#requests[index];
    const what =
      index >= 0 && request ? `input ${index} (${request.method} ${request.url.split("?")[0]})` : "the job";
    const written = this.#written();
    const parts = [
      `${written.length} of ${this.#total} inputs were written${written.length ? ` (${ranges(written)})` : ""}`,
    ];
    if (unknown.length) {
      const sorted = [...unknown].sort((a, b) => a - b);
      parts.push(`the outcome of ${ranges(sorted)} is unknown (sent, no answer)`);
    }
    parts.push("the others were not");
    const verb = unknownOutcome ? "got no answer" : "failed";
    return `pocketmap: ${what} ${verb}: ${reason}; ${parts.join("; ")} (${how})`;
  }

  /** The failing input's own error, with what the job wrote. */
  #failure(index: number, response: FailedRequest, error: PocketBaseError): BatchError {
    const data = response.data && typeof response.data === "object" ? response.data : {};
    const fields = Object.entries(data)
      .map(([field, value]) => `${field}: ${(value as Partial<FieldError> | null)?.message ?? "invalid"}`)
      .slice(0, 5);
    const reason = [response.message ?? "failed", ...fields].join(" ");
    return new BatchError({
      status: typeof response.status === "number" ? response.status : error.status,
      message: this.#describe(index, reason, [], "its chunk's transaction was rolled back"),
      data,
      url: error.url,
      method: error.method,
      cause: error,
      index,
      written: this.#written(),
      results: this.#plainResults(),
    });
  }

  /** A chunk failed as a whole (network, timeout, auth, server). */
  #chunkFailure(indices: readonly number[], error: unknown, forceUnknown = false): unknown {
    const unknown = forceUnknown || outcomeUnknown(error) ? [...indices] : [];
    const written = this.#written();
    // Nothing written and nothing in doubt: the error as it is (a 401, a 404 from a server without
    // /api/batch, ...).
    if (written.length === 0 && unknown.length === 0) return error;
    const cause = error instanceof PocketBaseError ? error : undefined;
    const reason = (error as Error)?.message ?? String(error);
    return new BatchError({
      status: cause?.status ?? 0,
      message: this.#describe(
        unknown.length ? indices[0]! : -1,
        reason,
        unknown,
        unknown.length ? "a chunk whose answer never came is not sent again" : "its chunk was not written",
        unknown.length > 0,
      ),
      data: cause?.data ?? {},
      url: cause?.url,
      method: cause?.method,
      cause: error,
      index: unknown.length ? indices[0]! : -1,
      written,
      unknown,
      results: this.#plainResults(),
    });
  }
}

function tooBig(count: number, max: number): InvalidInputError {
  return new InvalidInputError(
    `pocketmap: an atomic batch must fit one transaction, but ${count} requests exceed the server's batch.maxRequests of ${max}; nothing was sent (raise batch.maxRequests in the settings, or drop atomic to send it in chunks)`,
  );
}

function disabled(limits: BatchLimits, cause?: PocketBaseError): ForbiddenError {
  const how = limits.canChange ? `; ${ENABLE_HINT.replace(" to make this ~5x faster", "")}` : "";
  return new ForbiddenError({
    status: 403,
    message: `pocketmap: batch requests are disabled on this server, so an atomic batch cannot run; nothing was written${how}`,
    url: cause?.url ?? "/api/batch",
    method: "POST",
    cause,
  });
}

/** "0-9, 12, 15-20" */
function ranges(indices: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < indices.length; ) {
    let j = i;
    while (j + 1 < indices.length && indices[j + 1] === indices[j]! + 1) j++;
    parts.push(i === j ? `input ${indices[i]}` : `inputs ${indices[i]}-${indices[j]}`);
    i = j + 1;
  }
  const shown = parts.slice(0, 6).join(", ");
  return parts.length > 6 ? `${shown}, …` : shown;
}
