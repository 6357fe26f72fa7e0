// `fileFrom(path)`: a file on disk as a record field's value, streamed as the request is sent. Only
// the description lives here (no I/O); the async kind opens the path.
import { InvalidInputError } from "./errors/invalid-input.ts";
import { describe, isPlainObject } from "./validate.ts";

/**
 * A file on disk to upload, read as it is sent (never into memory). It crosses to the sync kind's
 * worker as its path, name and type (params.ts).
 */
export class FileFrom {
  readonly path: string;
  readonly name: string;
  readonly type: string;
  constructor(path: string, name: string, type: string) {
    this.path = path;
    this.name = name;
    this.type = type;
  }
}

/**
 * A file on disk as a record field's value: `create({ video: fileFrom("clip.mp4") })`. It is streamed
 * from disk as the request is sent, in both kinds. `name` defaults to the path's last segment.
 * @example
 * ```ts
 * await env.documents.create({ title: "clip", file: fileFrom("clip.mp4", { type: "video/mp4" }) });
 * ```
 */
export function fileFrom(path: string, options: { name?: string; type?: string } = {}): FileFrom {
  if (typeof path !== "string" || path === "") {
    throw new InvalidInputError(`pocketmap: fileFrom() takes a file path, got ${describe(path)}`);
  }
  if (!isPlainObject(options)) {
    throw new InvalidInputError(`pocketmap: fileFrom() options must be a plain object`);
  }
  for (const key of Object.keys(options)) {
    if (key !== "name" && key !== "type") {
      throw new InvalidInputError(`pocketmap: unknown option "${key}" for fileFrom(); expected name, type`);
    }
  }
  const { name = path.split(/[\\/]/).pop() ?? "", type = "" } = options;
  if (typeof name !== "string" || name === "") {
    throw new InvalidInputError(`pocketmap: fileFrom() name must be a non-empty string`);
  }
  if (typeof type !== "string") {
    throw new InvalidInputError(`pocketmap: fileFrom() type must be a string, got ${describe(type)}`);
  }
  return new FileFrom(path, name, type);
}
