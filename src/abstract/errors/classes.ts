// Every error class pocketmap throws, and the public types that go with them: the one list. The
// package exports this module whole (src/index.ts), and errorFromJSON rebuilds each of these classes
// by name (serialize.ts), so a class added here is exported and crosses the sync worker with no other
// edit. Only classes and public types belong here.
export { AbortError } from "./abort.ts";
export { BadRequestError } from "./bad-request.ts";
export { BatchError } from "./batch.ts";
export { ClosedError } from "./closed.ts";
export { ForbiddenError } from "./forbidden.ts";
export { InvalidInputError } from "./invalid-input.ts";
export { MFARequiredError } from "./mfa-required.ts";
export { NetworkError } from "./network.ts";
export { NotFoundError } from "./not-found.ts";
export type { FieldError, SerializedError } from "./pocketbase-error.ts";
export { PocketBaseError } from "./pocketbase-error.ts";
export { PocketmapError } from "./pocketmap-error.ts";
export { ServerError } from "./server.ts";
export { SyncWorkerError } from "./sync-worker.ts";
export { TimeoutError } from "./timeout.ts";
export { TooManyRequestsError } from "./too-many-requests.ts";
export { UnauthorizedError } from "./unauthorized.ts";
export { UnsupportedError } from "./unsupported.ts";
