import type { PocketBaseErrorInit, SerializedError } from "./pocketbase-error.ts";
import { UnauthorizedError } from "./unauthorized.ts";

/**
 * The first factor of a login succeeded, and the collection asks for a second one (PocketBase's 401
 * `{ mfaId }`). Pass `{ mfaId }` to a second auth method (e.g. `auth.withOTP(otpId, code, { mfaId })`)
 * to complete the login.
 */
export class MFARequiredError extends UnauthorizedError {
  override name = "MFARequiredError";
  /** The id of the pending multi-factor login; not a secret on its own (it needs a second factor). */
  readonly mfaId: string;

  constructor(init: PocketBaseErrorInit & { mfaId?: string }) {
    const mfaId = init.mfaId ?? String(init.data?.mfaId ?? "");
    super({ ...init, data: { ...init.data, mfaId } });
    this.mfaId = mfaId;
  }

  /**
   * The error as plain data, `mfaId` included in `data`.
   * @example
   * ```ts
   * const report = JSON.stringify(mfaError);
   * ```
   */
  override toJSON(): SerializedError {
    return { ...super.toJSON(), data: { ...this.data, mfaId: this.mfaId } };
  }
}
