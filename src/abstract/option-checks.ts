// The options registry (ky's KyOptionsRegistry idea): every options interface has a table of checks
// mapped over its keys, so an option added to an interface without a check fails to compile, and one
// parser runs them. Both kinds check every call's options here before any request; the sync kind also
// learns from the table which options cannot cross to its worker as they are (a callback, a signal).

import type { BackupDownloadOptions, ImportOptions, TestEmailOptions } from "./admin-types.ts";
import { InvalidInputError } from "./errors/invalid-input.ts";
import { assertThumb } from "./files.ts";
import { buildFilter } from "./filter.ts";
import type { ReplicateOptions } from "./replication-types.ts";
import { assertBoolean, assertHeaders, assertQuery, assertTimeout } from "./request-options.ts";
import type {
  AuthOptions,
  BatchOptions,
  CountOptions,
  DownloadOptions,
  FileURLOptions,
  IterateOptions,
  ListOptions,
  OAuth2Options,
  RecordOptions,
  RequestOptions,
  SendOptions,
  SubscribeOptions,
} from "./types.ts";
import {
  assertCollectionName,
  assertJsonData,
  assertPlainObject,
  describe,
  isPlainObject,
  normalizeExpand,
  normalizeFields,
  normalizeSort,
  positiveInteger,
} from "./validate.ts";

/** How one option is checked, and how it crosses to the sync kind's worker. */
export interface OptionCheck {
  /** Throws an InvalidInputError unless `value` (never undefined) fits; `options` is the whole object. */
  check(value: unknown, options: Readonly<Record<string, unknown>>): void;
  /**
   * A function: the sync kind keeps it on the calling thread and the worker gets a stand-in that
   * notifies it (the callback channel).
   */
  callback?: true;
  /** Cannot cross to the sync worker at all; the reason, said to a sync-kind caller who passes it. */
  asyncOnly?: string;
}

/** One check per key of `O`, no more and no fewer. */
export type OptionChecks<O> = { readonly [K in keyof Required<O>]-?: OptionCheck };

const check = (fn: (value: unknown, options: Readonly<Record<string, unknown>>) => void): OptionCheck => ({
  check: fn,
});

const requestChecks = {
  signal: {
    check(value) {
      if (!(value instanceof AbortSignal)) {
        throw new InvalidInputError(`pocketmap: signal must be an AbortSignal, got ${describe(value)}`);
      }
    },
    asyncOnly: "signal is not supported by the sync kind (calls block; use timeout)",
  },
  timeout: check((value) => assertTimeout(value)),
  headers: check((value) => assertHeaders(value)),
  query: check((value) => assertQuery(value)),
} satisfies OptionChecks<RequestOptions>;

const recordChecks = {
  ...requestChecks,
  expand: check(normalizeExpand),
  fields: check(normalizeFields),
} satisfies OptionChecks<RecordOptions>;

const filterChecks = {
  filter: check((value, options) => buildFilter(value, options.params)),
  params: check((value, options) => {
    if (options.filter === undefined) buildFilter(undefined, value);
  }),
};

const sort = check(normalizeSort);

const listChecks = {
  ...recordChecks,
  ...filterChecks,
  sort,
  page: check((value) => positiveInteger(value, "page")),
  perPage: check((value) => positiveInteger(value, "perPage", 1000)),
  skipTotal: check((value) => assertBoolean(value, "skipTotal")),
} satisfies OptionChecks<ListOptions>;

const iterateChecks = {
  ...recordChecks,
  ...filterChecks,
  sort,
  pageSize: check((value) => positiveInteger(value, "pageSize", 1000)),
} satisfies OptionChecks<IterateOptions>;

const countChecks = { ...requestChecks, ...filterChecks } satisfies OptionChecks<CountOptions>;

const SEND_METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE"];

const sendChecks = {
  ...requestChecks,
  method: check((value) => {
    if (!SEND_METHODS.includes(value as string)) {
      throw new InvalidInputError(
        `pocketmap: send() method must be one of ${SEND_METHODS.join(", ")}, got ${describe(value)}`,
      );
    }
  }),
  body: check((value) => assertJsonData(value, "body")),
  anonymous: check((value) => assertBoolean(value, "anonymous")),
} satisfies OptionChecks<SendOptions>;

const batchChecks = {
  atomic: check((value) => assertBoolean(value, "atomic")),
  onProgress: {
    check(value) {
      if (typeof value !== "function") {
        throw new InvalidInputError(`pocketmap: onProgress must be a function, got ${describe(value)}`);
      }
    },
    callback: true,
  },
} satisfies OptionChecks<BatchOptions>;

const replicateChecks = {
  collections: check((value) => {
    if (!Array.isArray(value) || value.length === 0) {
      throw new InvalidInputError(
        `pocketmap: collections must be a non-empty array of collection names, got ${describe(value)}`,
      );
    }
    for (const name of value) assertCollectionName(name);
  }),
  filter: check((value) => {
    if (typeof value === "string") return;
    if (!isPlainObject(value) || Object.values(value).some((f) => typeof f !== "string")) {
      throw new InvalidInputError(
        `pocketmap: filter must be a filter string, or one per collection name ({ posts: "…" }), got ${describe(value)}`,
      );
    }
    for (const name of Object.keys(value)) assertCollectionName(name);
  }),
  live: check((value) => assertBoolean(value, "live")),
  overlap: check((value) => {
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0) {
      throw new InvalidInputError(
        `pocketmap: overlap must be a whole number of milliseconds ≥ 0, got ${describe(value)}`,
      );
    }
  }),
  onProgress: batchChecks.onProgress,
} satisfies OptionChecks<ReplicateOptions>;

const authChecks = {
  ...recordChecks,
  mfaId: check((value) => {
    if (typeof value !== "string" || value === "") {
      throw new InvalidInputError("pocketmap: mfaId must be a non-empty string");
    }
  }),
} satisfies OptionChecks<AuthOptions>;

const oauth2Checks = {
  ...authChecks,
  createData: check((value) => {
    assertPlainObject(value, "createData");
    assertJsonData(value, "createData");
  }),
} satisfies OptionChecks<OAuth2Options>;

const subscribeChecks = {
  ...filterChecks,
  expand: check(normalizeExpand),
  fields: check(normalizeFields),
  query: check((value) => assertQuery(value)),
  headers: check((value) => assertHeaders(value)),
} satisfies OptionChecks<SubscribeOptions>;

const importChecks = {
  ...requestChecks,
  deleteMissing: check((value) => assertBoolean(value, "deleteMissing")),
} satisfies OptionChecks<ImportOptions>;

const testEmailChecks = {
  ...requestChecks,
  collection: check((value) => assertCollectionName(value)),
} satisfies OptionChecks<TestEmailOptions>;

const toChecks = {
  ...requestChecks,
  to: check((value) => {
    if (typeof value !== "string" || value === "") {
      throw new InvalidInputError(`pocketmap: to must be a file path, got ${describe(value)}`);
    }
  }),
};

const backupDownloadChecks = toChecks satisfies OptionChecks<BackupDownloadOptions>;

const fileURLChecks = {
  thumb: check(assertThumb),
  download: check((value) => assertBoolean(value, "download")),
  token: check((value) => {
    // Never quoted: it is a secret.
    if (typeof value !== "string" || value === "" || /\s/.test(value)) {
      throw new InvalidInputError(
        "pocketmap: token must be a file token (a non-empty string without spaces)",
      );
    }
  }),
} satisfies OptionChecks<FileURLOptions>;

const downloadChecks = {
  ...toChecks,
  thumb: check(assertThumb),
} satisfies OptionChecks<DownloadOptions>;

/** The options interfaces by name, as the method tables name them. */
export interface OptionTypes {
  request: RequestOptions;
  record: RecordOptions;
  list: ListOptions;
  iterate: IterateOptions;
  count: CountOptions;
  send: SendOptions;
  batch: BatchOptions;
  auth: AuthOptions;
  oauth2: OAuth2Options;
  subscribe: SubscribeOptions;
  import: ImportOptions;
  testEmail: TestEmailOptions;
  backupDownload: BackupDownloadOptions;
  fileURL: FileURLOptions;
  download: DownloadOptions;
  replicate: ReplicateOptions;
}

export type OptionKind = keyof OptionTypes;

/** Every options interface's checks. */
export const optionChecks: { readonly [K in OptionKind]: OptionChecks<OptionTypes[K]> } = {
  request: requestChecks,
  record: recordChecks,
  list: listChecks,
  iterate: iterateChecks,
  count: countChecks,
  send: sendChecks,
  batch: batchChecks,
  auth: authChecks,
  oauth2: oauth2Checks,
  subscribe: subscribeChecks,
  import: importChecks,
  testEmail: testEmailChecks,
  backupDownload: backupDownloadChecks,
  fileURL: fileURLChecks,
  download: downloadChecks,
  replicate: replicateChecks,
};

/** The keys options of `kind` accept, in the order errors list them. */
export function optionKeys(kind: OptionKind): readonly string[] {
  return Object.keys(optionChecks[kind]);
}

/**
 * Checks a call's options before anything is sent: nothing, or a plain object whose keys are options
 * of `kind`, each value passing its check. `where` names the call in errors (`"list()"`).
 */
export function checkOptions(kind: OptionKind, options: unknown, where: string): void {
  if (options === undefined || options === null) return;
  if (!isPlainObject(options)) {
    throw new InvalidInputError(
      `pocketmap: ${where} options must be a plain object, got ${describe(options)}`,
    );
  }
  const checks = optionChecks[kind] as Readonly<Record<string, OptionCheck>>;
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(checks, key)) {
      throw new InvalidInputError(
        `pocketmap: unknown option "${key}" for ${where}; expected one of: ${Object.keys(checks).join(", ")}`,
      );
    }
  }
  if (Object.getOwnPropertySymbols(options).length > 0) {
    throw new InvalidInputError(
      `pocketmap: ${where} options have a symbol key; options are named by strings`,
    );
  }
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) checks[key]!.check(value, options);
  }
}
