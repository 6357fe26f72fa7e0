import { PocketBaseError, type PocketBaseErrorInit, type SerializedError } from "./pocketbase-error.ts";

export interface BatchErrorInit extends PocketBaseErrorInit {
  index: number;
  written: readonly number[];
  unknown?: readonly number[] | undefined;
  results?: readonly ({ status: number; body: unknown } | null)[] | undefined;
}

/**
 * A batch job (createMany and friends, env.batch) stopped at one input. `status`, `message` and
 * `data` are that input's own failure (its field errors, as PocketBase answered them); `index` is its
 * position in the input. `written` lists, in input order, every input that was written (and is
 * still written: the failing chunk's transaction was rolled back), `unknown` those whose request was
 * sent but whose outcome never came back (a connection that broke after sending); every other input
 * was not written. `results[i]` is the server's answer for each written input, `null` elsewhere.
 */
export class BatchError extends PocketBaseError {
  override name = "BatchError";
  /** The input that failed (its position in the array given), or -1 when no single input did. */
  readonly index: number;
  /** Inputs that were written, in input order. */
  readonly written: readonly number[];
  /** Inputs sent whose outcome is unknown (they may or may not have been written). */
  readonly unknown: readonly number[];
  /** The answer for each written input (`{ status, body }`), `null` for the others. */
  readonly results: readonly ({ status: number; body: unknown } | null)[];

  constructor(init: BatchErrorInit) {
    super(init);
    this.index = init.index;
    this.written = [...init.written];
    this.unknown = [...(init.unknown ?? [])];
    this.results = [...(init.results ?? [])];
  }

  /**
   * The error as plain data, with the batch job's `index`, `written` and `results`.
   * @example
   * ```ts
   * const report = JSON.stringify(batchError);
   * ```
   */
  override toJSON(): SerializedError & Omit<BatchErrorInit, keyof PocketBaseErrorInit> {
    return {
      ...super.toJSON(),
      index: this.index,
      written: this.written,
      unknown: this.unknown,
      results: this.results,
    };
  }
}
