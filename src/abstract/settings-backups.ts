// `env.admin.settings` and `env.admin.backups`: their parameters (checked by both kinds before any
// request, declared in their method tables) and their requests, as data. No I/O.

import type { AppleClientSecretInput, EmailTemplate } from "./admin-types.ts";
import { isFile, Multipart } from "./body.ts";
import { InvalidInputError } from "./errors/invalid-input.ts";
import { crossFiles, reviveFiles } from "./file-crossing.ts";
import { FileFrom } from "./file-from.ts";
import type { RequestSpec } from "./operations.ts";
import type { Param } from "./params.ts";
import type { FileInput } from "./types.ts";
import { assertPlainObject, describe, toJsonBody } from "./validate.ts";

/** The templates `testEmail()` sends: every PocketBase release from 0.23 has all five. */
export const EMAIL_TEMPLATES: readonly EmailTemplate[] = [
  "verification",
  "password-reset",
  "email-change",
  "otp",
  "login-alert",
];

/** PocketBase's own rule for the name of a backup it creates (apis/backup_create.go). */
const BACKUP_NAME = /^[a-z0-9_-]+\.zip$/;
const MAX_BACKUP_NAME = 150;
/** Apple's private keys are PEM (forms/apple_client_secret_create.go checks the same). */
const PRIVATE_KEY = /-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/;
/** The longest Apple allows a client secret to live, in seconds (about six months). */
export const MAX_APPLE_SECRET_DURATION = 15_777_000;

function fail(message: string): never {
  throw new InvalidInputError(`pocketmap: ${message}`);
}

/** Throws unless `key` names a backup file: a non-empty file name, no path. */
export function assertBackupKey(key: unknown, what = "a backup key"): asserts key is string {
  if (typeof key !== "string" || key === "" || key === "." || key === "..") {
    fail(`${what} must be a backup's file name (e.g. "pb_backup_20260102030405.zip"), got ${describe(key)}`);
  }
  // A key is one path segment: "/" or "\" (or a control character) would reach another URL or file.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[/\\\u0000-\u001f]/.test(key)) fail(`${what} must be a file name without "/", got ${describe(key)}`);
}

/** Throws unless `name` is a name PocketBase accepts for a new backup. */
export function assertBackupName(name: unknown): asserts name is string {
  if (typeof name !== "string" || name.length > MAX_BACKUP_NAME || !BACKUP_NAME.test(name)) {
    fail(
      `a backup's name must be lower-case letters, digits, "_" or "-" ending in ".zip" (at most ${MAX_BACKUP_NAME} characters), got ${describe(name)}`,
    );
  }
}

/** The name of a backup created without one: PocketBase's own pattern, to the second (UTC). */
export function defaultBackupName(now = new Date()): string {
  const stamp = now.toISOString().replace(/\D/g, "").slice(0, 14);
  return `pb_backup_${stamp}.zip`;
}

/** The key an upload is stored under: the name given, else a `File`'s own name. */
export function uploadKey(file: FileInput, name: string | undefined): string {
  const key = name ?? (file instanceof File || file instanceof FileFrom ? file.name : undefined);
  if (key === undefined) {
    fail(
      'admin.backups.upload() needs a name for a Blob or bytes (a File or fileFrom(path) brings its own): upload(bytes, "name.zip")',
    );
  }
  assertBackupKey(key, "the uploaded backup's name");
  return key;
}

function assertAppleInput(value: unknown): asserts value is AppleClientSecretInput {
  assertPlainObject(value, "the Apple client secret input");
  const known = ["clientId", "teamId", "keyId", "privateKey", "duration"];
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      fail(`unknown key "${key}" for generateAppleClientSecret(); expected ${known.join(", ")}`);
  }
  const { clientId, teamId, keyId, privateKey, duration } = value;
  if (typeof clientId !== "string" || clientId === "") fail("clientId must be a non-empty string");
  for (const [name, id] of [
    ["teamId", teamId],
    ["keyId", keyId],
  ] as const) {
    if (typeof id !== "string" || id.length !== 10)
      fail(`${name} must be Apple's 10-character id, got ${describe(id)}`);
  }
  // Never quoted: it is the secret.
  if (typeof privateKey !== "string" || !PRIVATE_KEY.test(privateKey)) {
    fail("privateKey must be the PEM text of the key (-----BEGIN PRIVATE KEY----- …)");
  }
  if (
    typeof duration !== "number" ||
    !Number.isInteger(duration) ||
    duration < 1 ||
    duration > MAX_APPLE_SECRET_DURATION
  ) {
    fail(
      `duration must be a whole number of seconds from 1 to ${MAX_APPLE_SECRET_DURATION}, got ${describe(duration)}`,
    );
  }
}

// Parameters of the two services' tables (surface.ts), of kinds params.ts does not have.

function param<A, O extends boolean = false>(
  name: string,
  check: (value: unknown) => void,
  optional?: O,
): Param<A, O> {
  return { name, optional: (optional ?? false) as O, check };
}

/** A backup's key (its file name). */
export const backupKey = param<string>("key", (value) => assertBackupKey(value));

/** The name of a backup to create (optional). */
export const backupName = param<string, true>("backupName", (value) => assertBackupName(value), true);

/**
 * A backup zip to upload: a Blob or File, bytes (Buffer, Uint8Array), or `fileFrom(path)`, which
 * crosses to the sync kind's worker as its path (file-crossing.ts) and is streamed from disk.
 */
export const backupFile: Param<FileInput, false> = {
  ...param<FileInput>("file", (value) => {
    if (!isFile(value))
      fail(
        `admin.backups.upload() takes a Blob, File, Buffer, Uint8Array or fileFrom(path), got ${describe(value)}`,
      );
  }),
  cross: (value) => crossFiles({ file: value }, "upload"),
  revive: (value) => (reviveFiles(value) as { file: unknown }).file,
};

/** The name of an uploaded backup (optional). */
export const uploadName = param<string, true>(
  "uploadName",
  (value) => assertBackupKey(value, "the uploaded backup's name"),
  true,
);

/** Which S3 configuration `testS3()` checks. */
export const s3Filesystem = param<"storage" | "backups", true>(
  "filesystem",
  (value) => {
    if (value !== "storage" && value !== "backups") {
      fail(`testS3() takes "storage" or "backups", got ${describe(value)}`);
    }
  },
  true,
);

/** The address a test email goes to. */
export const emailAddress = param<string>("to", (value) => {
  if (typeof value !== "string" || !/^[^\s@]+@[^\s@]+$/.test(value)) {
    fail(`testEmail() takes an email address, got ${describe(value)}`);
  }
});

/** The template a test email uses. */
export const emailTemplate = param<EmailTemplate>("template", (value) => {
  if (!EMAIL_TEMPLATES.includes(value as EmailTemplate)) {
    fail(`testEmail() template must be one of ${EMAIL_TEMPLATES.join(", ")}, got ${describe(value)}`);
  }
});

/** `generateAppleClientSecret()`'s input. */
export const appleSecretInput = param<AppleClientSecretInput>("apple", (value) => assertAppleInput(value));

/** A request with the call's extra query parameters (`options.query`) added. */
export function withQuery(
  spec: RequestSpec,
  options: { query?: RequestSpec["query"] } | undefined,
): RequestSpec {
  return options?.query ? { ...spec, query: { ...options.query, ...spec.query } } : spec;
}

export const settingsRequests = {
  testS3(filesystem: "storage" | "backups"): RequestSpec {
    return {
      method: "POST",
      path: "/api/settings/test/s3",
      body: JSON.stringify({ filesystem }),
      expect: "empty",
    };
  },
  testEmail(email: string, template: EmailTemplate, collection: string | undefined): RequestSpec {
    return {
      method: "POST",
      path: "/api/settings/test/email",
      body: JSON.stringify({ email, template, collection }),
      expect: "empty",
    };
  },
  appleClientSecret(input: AppleClientSecretInput): RequestSpec {
    const { clientId, teamId, keyId, privateKey, duration } = input;
    return {
      method: "POST",
      path: "/api/settings/apple/generate-client-secret",
      body: toJsonBody({ clientId, teamId, keyId, privateKey, duration }),
      expect: "object",
      // Its key is not named like a secret; listed so that no error can quote it.
      secrets: [privateKey],
    };
  },
};

const backupPath = (key: string) => {
  assertBackupKey(key);
  return `/api/backups/${encodeURIComponent(key)}`;
};

export const backupRequests = {
  list(): RequestSpec {
    return { method: "GET", path: "/api/backups", expect: "empty" };
  },
  create(name: string): RequestSpec {
    assertBackupName(name);
    return { method: "POST", path: "/api/backups", body: JSON.stringify({ name }), expect: "empty" };
  },
  upload(file: FileInput, key: string): RequestSpec {
    const value = file instanceof Uint8Array ? new Blob([file as Uint8Array<ArrayBuffer>]) : file;
    return {
      method: "POST",
      path: "/api/backups/upload",
      body: new Multipart([["file", value, key]]),
      expect: "empty",
    };
  },
  /** The download itself: the file token in the query stands for the superuser's auth. */
  download(key: string, fileToken: string, to: string | undefined): RequestSpec {
    return {
      method: "GET",
      path: backupPath(key),
      query: { token: fileToken },
      auth: false,
      secrets: [fileToken],
      binary: to === undefined ? {} : { to },
    };
  },
  downloadPath(key: string): string {
    return backupPath(key);
  },
  restore(key: string): RequestSpec {
    return { method: "POST", path: `${backupPath(key)}/restore`, expect: "empty" };
  },
  remove(key: string): RequestSpec {
    return { method: "DELETE", path: backupPath(key), expect: "empty" };
  },
};
