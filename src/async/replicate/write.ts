// Writing a page of source records to the target: with their ids, without what the target sets
// itself (autodates), files downloaded from the source and uploaded again, auth records created with
// a random password (the source never lets its password hashes out) and updated without one.
import { ForbiddenError, NotFoundError } from "../../abstract/errors/index.ts";
import { type Row, type RunContext, statsOf } from "./context.ts";
import type { CollectionPlan } from "./plan.ts";

/** Records with files written per batch: their bytes are held until it is sent. */
const FILE_GROUP = 8;
/** Batch jobs of one page sent at once. */
const WRITERS = 2;
/** Ids looked up per request when splitting auth records into new and existing ones. */
const LOOKUP = 100;

const SYSTEM = new Set(["collectionId", "collectionName", "expand"]);

/** A file's name as uploaded: PocketBase's random suffix taken off (the target adds its own). */
export function uploadName(stored: string): string {
  return stored.replace(/_[a-z0-9]{10}(\.[^.]*)?$/, "$1");
}

/** Whether a field's value is empty ("" or []). */
export function isEmpty(value: unknown): boolean {
  return value === "" || value === null || (Array.isArray(value) && value.length === 0);
}

/** The fields of a source record to send; `omit` are left out (second-pass relations). */
export function toDoc(
  plan: CollectionPlan,
  record: Row,
  omit: readonly string[] = [],
): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(record)) {
    if (SYSTEM.has(field) || plan.autodates.includes(field)) continue;
    // A second-pass relation waits, unless empty (clearing one needs no record to exist).
    if (omit.includes(field) && !isEmpty(value)) continue;
    doc[field] = value;
  }
  return doc;
}

/** The record's files as uploads, in place of their names; files the source refuses are counted. */
async function withFiles(
  context: RunContext,
  plan: CollectionPlan,
  record: Row,
  doc: Record<string, unknown>,
) {
  for (const field of plan.fileFields) {
    const value = record[field];
    const names = Array.isArray(value)
      ? (value as string[])
      : typeof value === "string" && value
        ? [value]
        : [];
    if (names.length === 0) continue;
    const files: File[] = [];
    for (const name of names) {
      try {
        const bytes = (await context.source.download(record as never, name)) as Uint8Array;
        files.push(new File([bytes as Uint8Array<ArrayBuffer>], uploadName(name)));
      } catch (error) {
        // The source's rules hide it from this identity (or it vanished): said in the summary.
        if (!(error instanceof ForbiddenError || error instanceof NotFoundError)) throw error;
        context.lost.files++;
      }
    }
    doc[field] = Array.isArray(value) ? files : (files[0] ?? "");
  }
  return doc;
}

function hasFiles(plan: CollectionPlan, record: Row): boolean {
  return plan.fileFields.some((field) => {
    const value = record[field];
    return Array.isArray(value) ? value.length > 0 : typeof value === "string" && value !== "";
  });
}

/** The ids among `ids` that the target has. */
async function existing(context: RunContext, name: string, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += LOOKUP) {
    const chunk = ids.slice(i, i + LOOKUP);
    const page = await context.target
      .collection(name)
      .list({ filter: { id: chunk }, fields: "id", perPage: LOOKUP, skipTotal: true });
    for (const item of page.items) found.add(item.id);
  }
  return found;
}

function randomPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return Buffer.from(bytes).toString("base64url");
}

/** Writes docs (each with its id) to the target; returns the records as the target stored them. */
async function send(
  context: RunContext,
  plan: CollectionPlan,
  docs: Record<string, unknown>[],
): Promise<Row[]> {
  if (docs.length === 0) return [];
  const collection = context.target.collection(plan.name);
  if (plan.type !== "auth") {
    // Two jobs at once: the server validates one while it commits the other (measured: bench/README.md).
    // The records of one page never point at each other (a cycle's fields wait for the second pass).
    const half = Math.ceil(docs.length / WRITERS);
    const parts = Array.from({ length: WRITERS }, (_, i) => docs.slice(i * half, (i + 1) * half));
    // Into a collection that was empty, creating is cheaper than an upsert (no lookup first); a record
    // there already (read twice) fails its chunk, whose part is then sent again as upserts.
    const fresh = context.emptyAtStart.has(plan.name);
    const write = async (part: Record<string, unknown>[]) => {
      if (part.length === 0) return [];
      if (!fresh) return collection.upsertMany(part);
      return collection.createMany(part).catch(() => collection.upsertMany(part));
    };
    const written = await Promise.all(parts.map(write));
    return written.flat() as Row[];
  }
  // An upsert would need a password to create, and would overwrite the target's on update.
  const have = await existing(
    context,
    plan.name,
    docs.map((doc) => doc.id as string),
  );
  const fresh = docs.filter((doc) => !have.has(doc.id as string));
  const known = docs.filter((doc) => have.has(doc.id as string));
  const written: Row[] = [];
  if (known.length > 0) written.push(...((await collection.updateMany(known as never)) as Row[]));
  if (fresh.length > 0) {
    const withPasswords = fresh.map((doc) => {
      const password = randomPassword();
      return { ...doc, password, passwordConfirm: password };
    });
    written.push(...((await collection.createMany(withPasswords)) as Row[]));
    context.lost.passwords += fresh.length;
  }
  return written;
}

/** Writes a page of source records to the target, files and all; `omit` fields are left for later. */
export async function writePage(
  context: RunContext,
  plan: CollectionPlan,
  records: readonly Row[],
  omit: readonly string[],
): Promise<void> {
  const plain: Record<string, unknown>[] = [];
  const filed: Row[] = [];
  for (const record of records) {
    if (hasFiles(plan, record)) filed.push(record);
    else plain.push(toDoc(plan, record, omit));
  }
  const written = await send(context, plan, plain);
  for (let i = 0; i < filed.length; i += FILE_GROUP) {
    const group = filed.slice(i, i + FILE_GROUP);
    const docs = await Promise.all(
      group.map((record) => withFiles(context, plan, record, toDoc(plan, record, omit))),
    );
    written.push(...(await send(context, plan, docs)));
  }
  statsOf(context, plan.name).written += written.length;
}
