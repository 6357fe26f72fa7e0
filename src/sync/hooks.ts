// The request pipeline's hooks in the sync kind: plain functions that stay on the calling thread and
// run there while a call blocks; the worker's pipeline calls them through the callback channel
// (`call` stand-ins) and waits for each answer. Both ends are here. A FormData (a multipart body)
// does not survive a structured clone, so it crosses as its entries and is rebuilt on the other side.
import { InvalidInputError } from "../abstract/errors/index.ts";
import type { ResolvedOptions } from "../abstract/options.ts";
import type { CallbackRef } from "../abstract/params.ts";
import type { AfterSend, BeforeSend, HookRequest, HookResponse } from "../abstract/types.ts";

/** ResolvedOptions as they cross to the worker: each hook a stand-in. */
export type CrossingOptions = Omit<ResolvedOptions, "beforeSend" | "afterSend"> & {
  beforeSend: readonly CallbackRef[];
  afterSend: readonly CallbackRef[];
};

type Entries = { formData: [string, string | Blob, string | undefined][] };

function toCrossable(body: HookRequest["body"]): HookRequest["body"] | Entries {
  if (!(body instanceof FormData)) return body;
  const entries: Entries["formData"] = [];
  for (const [name, value] of body.entries()) {
    entries.push([name, value, value instanceof File ? value.name : undefined]);
  }
  return { formData: entries };
}

function fromCrossable(body: unknown): HookRequest["body"] {
  if (body === null || typeof body !== "object" || !("formData" in body)) return body as HookRequest["body"];
  const form = new FormData();
  for (const [name, value, filename] of (body as Entries).formData) {
    if (typeof value === "string") form.append(name, value);
    else form.append(name, value, filename);
  }
  return form;
}

const crossRequest = (request: HookRequest) => ({ ...request, body: toCrossable(request.body) });
const readRequest = (request: HookRequest): HookRequest => ({
  ...request,
  body: fromCrossable(request.body),
});

// Calling thread's side.

/** The hooks of `options` kept as callbacks of environment `envId` (`keep`), as they cross. */
export function crossingOptions(
  options: ResolvedOptions,
  keep: (fn: (arg: never) => unknown) => CallbackRef,
): CrossingOptions {
  // In place changes count as in the async kind: the (changed) request or data goes back.
  const before = options.beforeSend.map((hook) =>
    keep((request: HookRequest) => {
      const seen = readRequest(request);
      const returned = notPromise(hook(seen));
      return crossRequest(returned === undefined ? seen : (returned as HookRequest));
    }),
  );
  const after = options.afterSend.map((hook) =>
    keep((response: HookResponse) => {
      const seen = { ...response, request: readRequest(response.request) };
      const returned = notPromise(hook(seen));
      return { data: returned === undefined ? seen.data : returned };
    }),
  );
  return { ...options, beforeSend: before, afterSend: after };
}

/** A hook's answer, refused when it is a Promise: the calling thread cannot wait for one while it blocks. */
function notPromise(value: unknown): unknown {
  if (value !== null && typeof (value as { then?: unknown } | undefined)?.then === "function") {
    void Promise.resolve(value).catch(() => {}); // the call fails with the error below instead
    throw new InvalidInputError(
      "pocketmap: a hook of a sync environment returned a Promise; sync-kind hooks are plain functions that return at once (use setup({ async: true }) for async hooks)",
    );
  }
  return value;
}

// Worker's side.

/** The crossed options with each stand-in a hook that asks the calling thread and waits. */
export function hookedOptions(
  options: CrossingOptions,
  revive: (ref: CallbackRef) => (...args: unknown[]) => unknown,
): ResolvedOptions {
  const beforeSend = options.beforeSend.map((ref): BeforeSend => {
    const call = revive(ref);
    return async (request) => readRequest((await call(crossRequest(request))) as HookRequest);
  });
  const afterSend = options.afterSend.map((ref): AfterSend => {
    const call = revive(ref);
    return async (response) => {
      const answer = (await call({ ...response, request: crossRequest(response.request) })) as {
        data: unknown;
      };
      return answer.data;
    };
  });
  return { ...options, beforeSend, afterSend };
}
