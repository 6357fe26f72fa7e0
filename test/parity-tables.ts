// The method tables as the parity suites walk them (parity.test.ts: bad input; parity-crossing.test.ts:
// crossing values): every entry of every table, how to reach its target on an environment, a valid
// sample of each parameter, and how to call a method whatever its result is.
import type { AnyParam } from "../src/abstract/params.ts";
import {
  authSurface,
  collectionSurface,
  type Entry,
  environmentSurface,
  serviceSurfaces,
} from "../src/abstract/surface.ts";
import type { AsyncEnvironment } from "../src/index.ts";
import { settle } from "./kinds.ts";

export type Target = Record<string, (...args: unknown[]) => unknown>;

/** Every table, with how to reach its target on an environment. */
type Reach = (env: AsyncEnvironment, collection: string) => Target;
const TABLES: (readonly [string, Readonly<Record<string, Entry>>, Reach])[] = [
  ["env", environmentSurface, (env) => env as unknown as Target],
  ["collection", collectionSurface, (env, name) => env.collection(name) as unknown as Target],
  ["auth", authSurface, (env, name) => env.collection(name).auth as unknown as Target],
  ...Object.entries(serviceSurfaces).map(
    ([path, surface]) =>
      [
        path,
        surface as Readonly<Record<string, Entry>>,
        (env: AsyncEnvironment) =>
          path.split(".").reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], env) as Target,
      ] as const,
  ),
];

/** Every method of every table: `table` is its target's path (`"collection"`, `"admin.settings"`). */
export const ENTRIES = TABLES.flatMap(([table, surface, reach]) =>
  Object.entries(surface).map(([method, entry]) => ({
    label: `${table}.${method}`,
    table,
    method,
    entry,
    reach,
  })),
);

/** A valid value for each parameter, by its name: what the positions before a bad one hold. */
export const VALID: Record<string, unknown> = {
  id: "abcdefghijklmno",
  name: "posts",
  data: { title: "x" },
  docs: [{ title: "x" }],
  patches: [{ id: "abcdefghijklmno", title: "x" }],
  ids: ["abcdefghijklmno"],
  requests: [],
  collection: { name: "x" },
  identity: "header.payload.signature",
  topic: "*",
  token: "header.payload.signature",
  path: "/api/health",
  callback: () => {},
  options: undefined,
  duration: 0,
  model: { name: "x" },
  patch: { listRule: "" },
  models: [{ name: "x" }],
  query: "select 1",
  key: "pb_backup_20260102030405.zip",
  backupName: "backup.zip",
  file: new Uint8Array([0x50, 0x4b]),
  uploadName: "upload.zip",
  filesystem: "storage",
  to: "someone@pocketmap.test",
  template: "verification",
  apple: {
    clientId: "com.pocketmap.test",
    teamId: "TEAM123456",
    keyId: "KEY1234567",
    privateKey: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----",
    duration: 60,
  },
  record: { id: "abcdefghijklmno", collectionName: "posts" },
  filename: "a.txt",
  source: { url: "http://127.0.0.1:9" },
  target: { url: "http://127.0.0.1:9" },
  a: { url: "http://127.0.0.1:9" },
  b: { url: "http://127.0.0.1:9" },
};
const TEXT = new Set([
  "password",
  "passwordConfirm",
  "email",
  "newEmail",
  "otpId",
  "code",
  "codeVerifier",
  "provider",
  "redirectURL",
]);

export function valid(p: AnyParam, where: string): unknown {
  if (TEXT.has(p.name)) return "a-value";
  if (!Object.hasOwn(VALID, p.name)) {
    throw new Error(
      `parity.test.ts has no valid sample for parameter "${p.name}" of ${where}: add one to VALID`,
    );
  }
  return VALID[p.name];
}

/** Calls `method`, and pulls the first item of what it returns when that is an iterator. */
export function run(target: Target, method: string, args: unknown[]): Promise<unknown> {
  return settle(async () => {
    const result = (await target[method]!(...args)) as unknown;
    if (result && typeof result === "object") {
      if (Symbol.asyncIterator in result)
        await (result as AsyncIterable<unknown>)[Symbol.asyncIterator]().next();
      else if (Symbol.iterator in result && !Array.isArray(result)) {
        (result as Iterable<unknown>)[Symbol.iterator]().next();
      }
    }
    return result;
  });
}
