// Records as rows: the columns of a collection, in a stable order, and the cells of a record.
import type { CollectionField, CollectionModel } from "../abstract/admin-types.ts";
import { NotFoundError } from "../abstract/errors/not-found.ts";
import { fieldEntries } from "../abstract/fields.ts";
import { isMissingCollection } from "../async/collection.ts";
import type { AsyncEnvironment } from "../async/environment.ts";
import { didYouMean } from "./suggest.ts";

/** The model of collection `name`; a missing one fails (exit 1, as in get and rm), naming a near match. */
export async function modelOf(env: AsyncEnvironment, name: string): Promise<CollectionModel> {
  const model = await env.admin.collections.get(name);
  if (model === undefined) throw await noCollection(env, name);
  return model;
}

/** The error every command gives for a collection that does not exist (exit 1), naming the nearest one. */
async function noCollection(env: AsyncEnvironment, name: string): Promise<NotFoundError> {
  let names: string[] = [];
  try {
    names = await env.keys();
  } catch {
    // An identity that may not list collections: no suggestion.
  }
  // System collections (_otps…) only for a name that starts as theirs: "pots" means posts, not _otps.
  const candidates = name.startsWith("_") ? names : names.filter((candidate) => !candidate.startsWith("_"));
  return new NotFoundError({
    status: 404,
    message: `no collection ${JSON.stringify(name)}${didYouMean(name, candidates)} (pocketmap ls lists them)`,
  });
}

/** Runs `work` on collection `name`; the library's "collection not found" becomes noCollection's message. */
export async function onCollection<T>(
  env: AsyncEnvironment,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isMissingCollection(error)) throw await noCollection(env, name);
    throw error;
  }
}

/** Secrets an export leaves out: passwords (never returned) and hidden system fields (an auth collection's tokenKey). */
const isSecret = (field: CollectionField) =>
  field.type === "password" || (field.system === true && field.hidden === true);

/** The names of the fields an export leaves out. */
export const secretFields = (model: CollectionModel): string[] =>
  model.fields.filter(isSecret).map((field) => field.name);

/** Fields an export writes: every field but the secret ones. */
export const dataFields = (model: CollectionModel): CollectionField[] =>
  model.fields.filter((field) => !isSecret(field));

/** The names of the fields whose values are JSON (json and geoPoint fields). */
export const jsonFields = (model: CollectionModel): Set<string> =>
  new Set(
    model.fields
      .filter((field) => field.type === "json" || field.type === "geoPoint")
      .map((field) => field.name),
  );

/** The columns of an export: `--fields` as given, else id and the collection's fields in model order. */
export function columnsOf(model: CollectionModel, fields?: string, expand?: string): string[] {
  const names = fields ? fieldEntries(fields) : ["id", ...dataFields(model).map((field) => field.name)];
  const unique = [...new Set(names.filter((name) => name !== "*" && name !== ""))];
  if (expand && !unique.includes("expand")) unique.push("expand");
  return unique;
}

/** A CSV cell: text as it is, numbers and booleans as text, other values (and any of a json field) as JSON, nothing as empty. */
export function cell(value: unknown, json = false): string {
  if (value === undefined || value === null) return "";
  if (json) return JSON.stringify(value);
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** Every collection's model, page by page (without the system ones unless `system`). */
export async function allCollections(env: AsyncEnvironment, system = true): Promise<CollectionModel[]> {
  const models: CollectionModel[] = [];
  for (let page = 1; ; page++) {
    const result = await env.admin.collections.list({ page, perPage: 200, sort: "name" });
    models.push(...result.items.filter((model) => system || !model.system));
    if (page >= result.totalPages || result.items.length === 0) return models;
  }
}
