import { PocketmapError } from "./pocketmap-error.ts";

/** One field's validation failure, as PocketBase reports it in `data`. */
export interface FieldError {
  code: string;
  message: string;
}

export interface PocketBaseErrorInit {
  status: number;
  message: string;
  data?: Record<string, unknown>;
  url?: string;
  method?: string;
  cause?: unknown;
}

/** Plain-data form of any PocketBaseError, for logs and for crossing a worker boundary. */
export interface SerializedError {
  name: string;
  status: number;
  message: string;
  data: Record<string, unknown>;
  url: string;
  method: string;
}

/** Every failure of a request to PocketBase, or of getting a request to it. */
export class PocketBaseError extends PocketmapError {
  override name = "PocketBaseError";
  /** HTTP status; 0 when no response arrived (network failure, timeout, abort). */
  readonly status: number;
  /** PocketBase's per-field errors, e.g. `{ email: { code: "validation_invalid_email", message } }`. */
  readonly data: Record<string, unknown>;
  /** The request URL, with any token redacted. */
  readonly url: string;
  readonly method: string;

  constructor(init: PocketBaseErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.status = init.status;
    this.data = init.data ?? {};
    this.url = init.url ?? "";
    this.method = init.method ?? "";
  }

  /** The per-field errors with their messages, `{ field: message }`. */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [field, value] of Object.entries(this.data)) {
      const message = (value as Partial<FieldError> | null)?.message;
      if (typeof message === "string") out[field] = message;
    }
    return out;
  }

  /**
   * The error as plain data (`JSON.stringify` uses it): name, status, message, data, url, method.
   * @example
   * ```ts
   * try {
   *   await env.posts.getOne("nosuchpost00001");
   * } catch (error) {
   *   console.log(JSON.stringify(error)); // {"name":"NotFoundError","status":404,…}
   * }
   * ```
   */
  toJSON(): SerializedError {
    return {
      name: this.name,
      status: this.status,
      message: this.message,
      data: this.data,
      url: this.url,
      method: this.method,
    };
  }
}
