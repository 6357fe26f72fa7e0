// The parameters of the file methods (`fileURL`, `download`), declared once for both kinds (surface.ts).
import { assertFilename, assertFileRecord, fileRecordOf } from "./files.ts";
import type { Param } from "./params.ts";
import type { FileRecord } from "./types.ts";

/** A record whose files are asked for; only `id`, `collectionId` and `collectionName` cross. */
export const fileRecord: Param<FileRecord, false> = {
  name: "record",
  optional: false,
  check: (value) => assertFileRecord(value),
  cross: (value) => fileRecordOf(value as FileRecord),
};

/** A file name as the record's file field holds it. */
export const filename: Param<string, false> = {
  name: "filename",
  optional: false,
  check: (value) => assertFilename(value),
};
