import { TOKEN_REFRESH_MARGIN } from "../abstract/constants.ts";
import { NotFoundError, UnauthorizedError } from "../abstract/errors/index.ts";
import { type RequestSpec, records } from "../abstract/operations.ts";
import type { Identity } from "../abstract/options.ts";
import type { BaseRecord } from "../abstract/types.ts";
import type { Transport } from "./transport.ts";

/** Seconds since the epoch at which a JWT expires, or undefined when it has no readable `exp`. */
export function tokenExpiry(token: string): number | undefined {
  const payload = token.split(".")[1];
  if (!payload) return undefined;
  try {
    const { exp } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { exp?: unknown };
    return typeof exp === "number" ? exp : undefined;
  } catch {
    return undefined;
  }
}

export interface AuthResult<R extends BaseRecord = BaseRecord> {
  token: string;
  record: R;
}

/**
 * The identity an environment acts as: a token, or an email and password, never both. PocketBase
 * treats an expired token as a guest and silently returns fewer records, so a password login is
 * renewed before it expires, and a given token that expired is never sent: it fails with an
 * UnauthorizedError, and nothing else is tried in its place.
 * Secrets live in private fields so that inspecting an environment cannot print them.
 */
export class AuthState {
  readonly #transport: () => Promise<Transport>;
  readonly #email: string | undefined;
  readonly #password: string | undefined;
  #token: string | undefined;
  #renewAt = Number.POSITIVE_INFINITY;
  #expiresAt = Number.POSITIVE_INFINITY;
  #login: Promise<string> | undefined;
  readonly #refreshMargin: number;
  readonly onAuth: (info: { collection: string; id: string }) => void;

  constructor(
    transport: () => Promise<Transport>,
    identity: Identity | undefined,
    onAuth: (info: { collection: string; id: string }) => void = () => {},
    refreshMargin = TOKEN_REFRESH_MARGIN,
  ) {
    this.#transport = transport;
    this.#refreshMargin = refreshMargin;
    this.onAuth = onAuth;
    if (identity === undefined) return;
    if ("token" in identity) {
      this.#adopt(identity.token);
    } else {
      this.#email = identity.email;
      this.#password = identity.password;
    }
  }

  get canLogin(): boolean {
    return this.#email !== undefined && this.#password !== undefined;
  }

  #adopt(token: string): void {
    this.#token = token;
    const exp = tokenExpiry(token);
    if (exp === undefined) {
      this.#renewAt = this.#expiresAt = Number.POSITIVE_INFINITY;
      return;
    }
    this.#expiresAt = exp * 1000;
    const remaining = this.#expiresAt - Date.now();
    // Short-lived tokens renew halfway through their life rather than never.
    this.#renewAt = this.#expiresAt - Math.min(this.#refreshMargin, Math.max(remaining, 0) / 2);
  }

  /** The token to send now, logging in first when needed; undefined to act as a guest. */
  async token(spec: RequestSpec): Promise<string | undefined> {
    const now = Date.now();
    if (this.#token && now < this.#renewAt) return this.#token;
    if (this.canLogin) return this.login();
    if (this.#token && now >= this.#expiresAt) {
      throw new UnauthorizedError({
        status: 401,
        message:
          "pocketmap: the auth token has expired; it was not sent, because PocketBase would silently " +
          "answer as a guest, and no other credentials are used in its place: give a fresh token",
        method: spec.method,
        url: spec.path,
      });
    }
    return this.#token;
  }

  /** Logs in as the configured superuser (deduplicated across concurrent callers). */
  login(): Promise<string> {
    this.#login ??= this.#superuserLogin().finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  /** Drops the current token so the next request logs in again (after a 401). */
  invalidate(token: string | undefined): void {
    if (token !== undefined && token === this.#token) this.#renewAt = 0;
  }

  async #superuserLogin(): Promise<string> {
    const transport = await this.#transport();
    const identity = this.#email!;
    const password = this.#password!;
    let response: Awaited<ReturnType<Transport["send"]>>;
    try {
      response = await transport.send(records.authWithPassword("_superusers", identity, password));
    } catch (error) {
      // PocketBase before 0.23 had admins instead of a _superusers collection.
      if (!(error instanceof NotFoundError)) throw error;
      response = await transport.send({
        method: "POST",
        path: "/api/admins/auth-with-password",
        body: JSON.stringify({ identity, password }),
        auth: false,
      });
    }
    const result = response.body as { token: string; record?: BaseRecord; admin?: BaseRecord };
    this.#adopt(result.token);
    this.onAuth({ collection: "_superusers", id: (result.record ?? result.admin)?.id ?? "" });
    return result.token;
  }
}
