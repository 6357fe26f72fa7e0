// Reading import input: CSV and TSV (csv-parse), NDJSON and JSON, from a file or stdin, row by row.
import type { Readable } from "node:stream";
import { PocketmapError } from "../abstract/errors/pocketmap-error.ts";
import type { ByteExtent } from "./progress.ts";

export const IMPORT_FORMATS = ["auto", "json", "ndjson", "csv", "tsv"] as const;
export type ImportFormat = Exclude<(typeof IMPORT_FORMATS)[number], "auto">;

/** One input row, numbered from 1: its values, or why it could not be read. */
export type InputRow =
  | { row: number; values: Record<string, unknown>; error?: undefined }
  | { row: number; values?: undefined; error: string; raw: unknown };

/** An import file that cannot be opened: named, with the reason in words (exit 1, as a server's refusal). */
export class UnreadableFileError extends PocketmapError {
  override name = "UnreadableFileError";
  constructor(file: string, error: NodeJS.ErrnoException) {
    const reasons: Record<string, string> = {
      ENOENT: "no such file",
      EACCES: "permission denied",
      EISDIR: "it is a directory",
    };
    super(`cannot read ${file}: ${reasons[error.code ?? ""] ?? error.message}`, { cause: error });
  }
}

/** The format a file's name implies (`.json`, `.ndjson` or `.jsonl`, `.csv`, `.tsv`), if any. */
export function formatOfName(file: string | undefined): ImportFormat | undefined {
  const extension = file?.toLowerCase().match(/\.(ndjson|jsonl|json|csv|tsv)$/)?.[1];
  return extension === "jsonl" ? "ndjson" : (extension as ImportFormat | undefined);
}

/** The format a file's name implies, else what its first character says (`[` JSON, `{` NDJSON, else CSV). */
function sniff(file: string, first: string): ImportFormat {
  const named = formatOfName(file);
  if (named) return named;
  const start = first.trimStart();
  if (start.startsWith("[")) return "json";
  if (start.startsWith("{")) return "ndjson";
  const line = start.split("\n")[0] ?? "";
  return line.includes("\t") && !line.includes(",") ? "tsv" : "csv";
}

/** The input as a stream of text and its format (`auto` looked up from the name or the first chunk). */
async function open(
  file: string,
  format: ImportFormat | "auto",
): Promise<{ input: Readable; format: ImportFormat; bytesRead: () => number }> {
  const source = file === "-" ? process.stdin : process.getBuiltinModule("node:fs").createReadStream(file);
  const bytesRead = () => ("bytesRead" in source ? source.bytesRead : 0);
  source.setEncoding("utf8");
  if (format !== "auto") return { input: source, format, bytesRead };
  const chunks = source[Symbol.asyncIterator]();
  const first = await chunks.next();
  const head = first.done ? "" : String(first.value);
  const input = process.getBuiltinModule("node:stream").Readable.from(
    (async function* () {
      if (head !== "") yield head;
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) yield String(next.value);
    })(),
    { objectMode: false },
  );
  return { input, format: sniff(file, head), bytesRead };
}

/** The size of a regular file; undefined for stdin, a pipe or an empty file (nothing to measure by). */
async function sizeOf(file: string): Promise<number | undefined> {
  if (file === "-") return undefined;
  const stats = await process
    .getBuiltinModule("node:fs/promises")
    .stat(file)
    .catch((error: NodeJS.ErrnoException) => {
      throw new UnreadableFileError(file, error);
    });
  return stats.isFile() && stats.size > 0 ? stats.size : undefined;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The rows of `file` (`-`: stdin), in order; CSV/TSV rows keep their cells as text (`typed: false`).
 * `bytes` says how far through a regular file the rows are (for the progress bar's ETA): the bytes read
 * so far, or for a JSON array (parsed whole) the share of its rows already yielded.
 */
export async function readRows(
  file: string,
  requested: ImportFormat | "auto",
): Promise<{ format: ImportFormat; rows: AsyncGenerator<InputRow>; bytes: ByteExtent | undefined }> {
  const size = await sizeOf(file);
  const { input, format, bytesRead } = await open(file, requested);
  let jsonShare: (() => number) | undefined;
  const rows = async function* (): AsyncGenerator<InputRow> {
    let row = 0;
    if (format === "csv" || format === "tsv") {
      const skipped: InputRow[] = [];
      // Loaded when used: every command starts faster without it.
      const { parse } = await import("csv-parse");
      const parser = input.pipe(
        parse({
          columns: true,
          delimiter: format === "csv" ? "," : "\t",
          bom: true,
          skip_records_with_error: true,
        }),
      );
      parser.on("skip", (error: Error & { record?: unknown }) => {
        skipped.push({ row: ++row, error: error.message, raw: error.record ?? null });
      });
      for await (const record of parser) {
        yield* skipped.splice(0);
        yield { row: ++row, values: record as Record<string, unknown> };
      }
      yield* skipped.splice(0);
    } else if (format === "ndjson") {
      const { createInterface } = process.getBuiltinModule("node:readline");
      for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
        if (line.trim() === "") continue;
        row++;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (error) {
          yield { row, error: `not JSON: ${(error as Error).message}`, raw: line };
          continue;
        }
        yield isObject(value) ? { row, values: value } : { row, error: "not a JSON object", raw: value };
      }
    } else {
      let text = "";
      for await (const chunk of input) text += chunk;
      const all: unknown = JSON.parse(text);
      if (!Array.isArray(all)) throw new Error("a JSON import must be an array of objects");
      jsonShare = () => row / Math.max(all.length, 1);
      for (const value of all) {
        row++;
        yield isObject(value) ? { row, values: value } : { row, error: "not a JSON object", raw: value };
      }
    }
  };
  const bytes =
    size === undefined
      ? undefined
      : {
          total: size,
          read: () => (format === "json" ? Math.round(size * (jsonShare?.() ?? 0)) : bytesRead()),
        };
  return { format, rows: rows(), bytes };
}
