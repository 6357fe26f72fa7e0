// Writing import rows in chunks through createMany/upsertMany: a failing row is set aside with its
// reason and the chunk's other rows are written, none of them twice (docs/batch.md, BatchError).
import { BatchError } from "../abstract/errors/batch.ts";
import type { AsyncCollection } from "../async/collection.ts";

/** A converted row, ready to write. */
export interface Row {
  row: number;
  data: Record<string, unknown>;
  raw: unknown;
}

/** A row that was not written, and why. */
export interface Reject {
  row: number;
  reason: string;
  data: unknown;
}

/** A BatchError as one input's reason: its status and field errors, or its own message. */
export function reasonOf(error: BatchError): string {
  const fields = Object.entries(error.data ?? {})
    .map(([field, detail]) => {
      const message = (detail as { message?: unknown } | null)?.message;
      return typeof message === "string" ? `${field}: ${message}` : undefined;
    })
    .filter((line) => line !== undefined);
  const own = error.message
    .replace(/^input \d+ \([^)]*\) failed: /, "")
    .replace(/; \d+ of \d+ inputs were written[\s\S]*$/, "");
  return `${error.status} ${fields.length ? fields.join("; ") : own}`;
}

/**
 * Writes `rows`; returns how many were written and the rejected ones. On a BatchError, the inputs it
 * lists as written are done, the failing one and those of unknown outcome are rejected, and the rest
 * (never written: their transaction was rolled back, or they were not sent) go again.
 */
export async function writeRows(
  collection: AsyncCollection,
  mode: "insert" | "upsert",
  rows: readonly Row[],
): Promise<{ written: number; rejects: Reject[] }> {
  const rejects: Reject[] = [];
  let written = 0;
  let pending = rows;
  while (pending.length > 0) {
    const docs = pending.map((row) => row.data);
    try {
      await (mode === "insert" ? collection.createMany(docs) : collection.upsertMany(docs));
      written += pending.length;
      break;
    } catch (error) {
      if (!(error instanceof BatchError) || (error.index < 0 && error.unknown.length === 0)) throw error;
      const done = new Set(error.written);
      const unknown = new Set(error.unknown);
      written += done.size;
      const reject = (i: number, reason: string) =>
        rejects.push({ row: pending[i]!.row, reason, data: pending[i]!.raw });
      if (error.index >= 0 && !unknown.has(error.index)) reject(error.index, reasonOf(error));
      for (const i of unknown)
        reject(i, "sent, but the answer was lost: check this record before importing it again");
      pending = pending.filter((_, i) => !done.has(i) && !unknown.has(i) && i !== error.index);
    }
  }
  return { written, rejects };
}

/** A new record id as PocketBase makes them: 15 characters of a-z and 0-9. */
function newId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return Array.from(
    process.getBuiltinModule("node:crypto").randomBytes(15),
    (byte) => alphabet[byte % alphabet.length],
  ).join("");
}

/**
 * `--key field`: gives each row the id of the record whose `field` has the row's value, or a new id
 * kept for that value (rows with the same value upsert one record). Rows without a value are rejected.
 */
export async function resolveKeys(
  collection: AsyncCollection,
  key: string,
  rows: readonly Row[],
  known: Map<string, string>,
): Promise<{ rows: Row[]; rejects: Reject[] }> {
  const rejects: Reject[] = [];
  const keyed = rows.filter((row) => {
    const value = row.data[key];
    // An empty cell clears a field on upsert, so it arrives as "" or null: no key either way.
    if ((typeof value === "string" && value !== "") || typeof value === "number") return true;
    rejects.push({ row: row.row, reason: `no value for the key field ${key}`, data: row.raw });
    return false;
  });
  const wanted = [...new Set(keyed.map((row) => String(row.data[key])))].filter((value) => !known.has(value));
  for (let start = 0; start < wanted.length; start += 50) {
    const values = wanted.slice(start, start + 50);
    const params = Object.fromEntries(values.map((value, i) => [`k${i}`, value]));
    const filter = values.map((_, i) => `${key} = {:k${i}}`).join(" || ");
    for (const record of await collection.getFullList({ filter, params, fields: `id,${key}` })) {
      known.set(String(record[key]), record.id);
    }
  }
  for (const row of keyed) {
    const value = String(row.data[key]);
    if (!known.has(value)) known.set(value, newId());
    row.data.id = known.get(value);
  }
  return { rows: keyed, rejects };
}
