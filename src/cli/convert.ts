// Import rows to record data: CSV and TSV cells converted by the collection's field types.
import type { CollectionField, CollectionModel } from "../abstract/admin-types.ts";

/** Keys a record carries that are no field to write (an export's extra keys). */
const NOT_WRITTEN = new Set(["collectionId", "collectionName", "expand"]);
/** Field types whose values cannot come from a row: set by the server, or files. */
const SKIPPED_TYPES = new Set(["autodate", "file"]);

/** A row that cannot become a record: the reason goes to the rejects. */
export class RowError extends Error {
  override name = "RowError";
}

const TRUE = /^(true|1|yes|y|on)$/i;
const FALSE = /^(false|0|no|n|off)$/i;

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new RowError(`${what}: ${JSON.stringify(text)} is not JSON`);
  }
}

/** One CSV cell as the value of `field` (undefined: an unknown column, kept as text). */
function convertCell(field: CollectionField | undefined, text: string): unknown {
  const what = `field ${field?.name}`;
  switch (field?.type) {
    case "bool":
      if (TRUE.test(text.trim())) return true;
      if (FALSE.test(text.trim())) return false;
      throw new RowError(`${what}: ${JSON.stringify(text)} is not a boolean`);
    case "number": {
      const value = Number(text.trim());
      if (text.trim() === "" || !Number.isFinite(value)) {
        throw new RowError(`${what}: ${JSON.stringify(text)} is not a number`);
      }
      return value;
    }
    case "json":
    case "geoPoint":
      return parseJson(text, what);
    case "date":
      if (Number.isNaN(Date.parse(text.trim())))
        throw new RowError(`${what}: ${JSON.stringify(text)} is not a date`);
      return text.trim();
    case "select":
    case "relation": {
      if (!isList(field)) return text.trim();
      const list = text.trim().startsWith("[") ? parseJson(text, what) : text.split(",");
      if (!Array.isArray(list)) throw new RowError(`${what}: ${JSON.stringify(text)} is not a list`);
      return list.map((item) => String(item).trim()).filter((item) => item !== "");
    }
    default:
      return text;
  }
}

const isList = (field: CollectionField) =>
  (field.type === "select" || field.type === "relation") && Number(field.maxSelect ?? 1) > 1;

/**
 * What an empty cell sends when it must clear a field (an upsert's update): null where PocketBase
 * stores its zero value from it (number 0, bool false, json null), an empty list for a multiple
 * select or relation, "" for the rest. Undefined: the cell is left out (the id, which an upsert
 * without one creates; a password, which "" would not clear; a column that is no field).
 */
function emptyValue(field: CollectionField | undefined): unknown {
  if (field === undefined || field.name === "id" || field.type === "password") return undefined;
  if (isList(field)) return [];
  if (["number", "bool", "json", "geoPoint"].includes(field.type)) return null;
  return "";
}

/**
 * Converts rows for one collection: typed cells for CSV/TSV, JSON rows as they are. An empty cell is
 * left out when inserting (the server's default applies) and clears its field when `emptyClears`
 * (an upsert, which may update a record that has a value there).
 */
export function converter(
  model: CollectionModel,
  emptyClears = false,
): (row: Record<string, unknown>, typed: boolean) => Record<string, unknown> {
  const fields = new Map(model.fields.map((field) => [field.name, field]));
  return (row, typed) => {
    const data: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) {
      const field = fields.get(key);
      if (NOT_WRITTEN.has(key) || (field && SKIPPED_TYPES.has(field.type))) continue;
      if (typed) data[key] = value;
      else if (typeof value === "string" && value !== "") data[key] = convertCell(field, value);
      else if (emptyClears && emptyValue(field) !== undefined) data[key] = emptyValue(field);
    }
    return data;
  };
}
