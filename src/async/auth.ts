import { auth as authOperations, tokenClaims } from "../abstract/auth-operations.ts";
import { TOKEN_REFRESH_MARGIN } from "../abstract/constants.ts";
import {
  BadRequestError,
  errorFromStatus,
  NotFoundError,
  PocketBaseError,
  UnauthorizedError,
} from "../abstract/errors/index.ts";
import { type RequestSpec, records } from "../abstract/operations.ts";
import type { Identity } from "../abstract/options.ts";
import type { BaseRecord } from "../abstract/types.ts";
import type { TransportRequestOptions as SendOptions, Transport } from "./transport.ts";

export type { AuthResult } from "../abstract/types.ts";

/** Seconds since the epoch at which a JWT expires, or undefined when it has no readable `exp`. */
export function tokenExpiry(token: string): number | undefined {
  const { exp } = tokenClaims(token);
  return typeof exp === "number" ? exp : undefined;
}

/** A token identity, and the auth collection (name or id) that refreshes it, when known. */
export type TokenIdentity = { token: string; collection?: string | undefined; at?: number | undefined };

/**
 * The identity an environment acts as: a token, or an email and password, never both. PocketBase
 * treats an expired token as a guest and silently returns fewer records, so a password login is
 * renewed before it expires, a token is refreshed (`auth-refresh` of its collection) before it
 * expires, and a token that expired or could not be refreshed is never sent: it fails with an
 * UnauthorizedError, and nothing else is tried in its place.
 * Secrets live in private fields so that inspecting an environment cannot print them.
 */
export class AuthState {
  readonly #transport: () => Promise<Transport>;
  readonly #email: string | undefined;
  readonly #password: string | undefined;
  /** Where the email and password came from, for errors. */
  #from: string | undefined;
  #token: string | undefined;
  #renewAt = Number.POSITIVE_INFINITY;
  #expiresAt = Number.POSITIVE_INFINITY;
  #login: Promise<string> | undefined;
  /** Where a token identity is refreshed; undefined: it cannot be (it then lives until it expires). */
  #refreshPath: string | undefined;
  /** Why this token may no longer be sent (the server refused to refresh it), if so. */
  #refused: string | undefined;
  readonly #refreshMargin: number;
  readonly #sendOptions: () => SendOptions;
  readonly onAuth: (info: { collection: string; id: string }) => void;

  constructor(
    transport: () => Promise<Transport>,
    identity: Identity | TokenIdentity | undefined,
    onAuth: (info: { collection: string; id: string }) => void = () => {},
    refreshMargin = TOKEN_REFRESH_MARGIN,
    sendOptions: () => SendOptions = () => ({}),
  ) {
    this.#transport = transport;
    this.#refreshMargin = refreshMargin;
    this.#sendOptions = sendOptions;
    this.onAuth = onAuth;
    if (identity === undefined) return;
    if ("token" in identity) {
      this.#adopt(identity.token, ("at" in identity && identity.at) || Date.now());
      const claims = tokenClaims(identity.token);
      const collection = ("collection" in identity && identity.collection) || claims.collectionId;
      if (claims.refreshable === false) this.#refreshPath = undefined;
      else if (claims.type === "admin") this.#refreshPath = "/api/admins/auth-refresh";
      else if (collection) this.#refreshPath = authOperations.refresh(collection).path;
    } else {
      this.#email = identity.email;
      this.#password = identity.password;
      this.#from = identity.from;
    }
  }

  get canLogin(): boolean {
    return this.#email !== undefined && this.#password !== undefined;
  }

  /** Takes `token` as the current one; `at`: when it was handed over (its renewal point counts from then). */
  #adopt(token: string, at = Date.now()): void {
    this.#token = token;
    const exp = tokenExpiry(token);
    if (exp === undefined) {
      this.#renewAt = this.#expiresAt = Number.POSITIVE_INFINITY;
      return;
    }
    this.#expiresAt = exp * 1000;
    const remaining = this.#expiresAt - at;
    // Short-lived tokens renew halfway through their life rather than never.
    this.#renewAt = this.#expiresAt - Math.min(this.#refreshMargin, Math.max(remaining, 0) / 2);
  }

  /** The token to send now, logging in first when needed; undefined to act as a guest. */
  async token(spec: RequestSpec): Promise<string | undefined> {
    const now = Date.now();
    if (this.#refused !== undefined) throw this.#unauthorized(spec, this.#refused);
    if (this.#token && now < this.#renewAt) return this.#token;
    if (this.canLogin) return this.login();
    if (this.#token && now >= this.#expiresAt) {
      throw this.#unauthorized(
        spec,
        "the auth token has expired; it was not sent, because PocketBase would silently answer as a " +
          "guest, and no other credentials are used in its place: give a fresh token",
      );
    }
    if (this.#token && this.#refreshPath !== undefined) {
      try {
        return await this.refresh();
      } catch (error) {
        if (this.#refused !== undefined) throw this.#unauthorized(spec, this.#refused);
        // The refresh did not get through (network, timeout): the token itself is still valid.
        if (Date.now() >= this.#expiresAt) throw error;
      }
    }
    return this.#token;
  }

  #unauthorized(spec: RequestSpec, why: string): UnauthorizedError {
    return new UnauthorizedError({
      status: 401,
      message: `pocketmap: ${why}`,
      method: spec.method,
      url: spec.path,
    });
  }

  /** Refreshes a token identity through its collection's `auth-refresh` (deduplicated). */
  refresh(): Promise<string> {
    this.#login ??= this.#refresh()
      .then(connectionFree)
      .finally(() => {
        this.#login = undefined;
      });
    return this.#login;
  }

  async #refresh(): Promise<string> {
    const transport = await this.#transport();
    const token = this.#token!;
    let response: Awaited<ReturnType<Transport["send"]>>;
    try {
      response = await transport.send(
        { method: "POST", path: this.#refreshPath!, auth: false, expect: "auth", secrets: [token] },
        { ...this.#sendOptions(), token },
      );
    } catch (error) {
      if (error instanceof PocketBaseError && error.status === 403) {
        // Not refreshable (an impersonation token, say): it stays valid until it expires.
        this.#refreshPath = undefined;
        this.#renewAt = this.#expiresAt;
        return token;
      }
      if (error instanceof PocketBaseError && error.status >= 400 && error.status < 500) {
        // The server no longer accepts this token (its record is gone, its password changed…): it
        // would be answered as a guest from now on, so it is never sent again.
        this.#refused = `the auth token could not be refreshed (the server answered ${error.status}); it is not sent again, because PocketBase would answer it as a guest: log in again`;
      }
      throw error;
    }
    const result = response.body as { token: string; record?: BaseRecord };
    this.#adopt(result.token);
    this.onAuth({ collection: result.record?.collectionName ?? "", id: result.record?.id ?? "" });
    return result.token;
  }

  /** Logs in as the configured superuser (deduplicated across concurrent callers). */
  login(): Promise<string> {
    this.#login ??= this.#superuserLogin()
      .then(connectionFree)
      .finally(() => {
        this.#login = undefined;
      });
    return this.#login;
  }

  /**
   * A refused login (PocketBase answers 400 "Failed to authenticate."), said with whom it tried and
   * where that identity came from; never the password. Other failures (the network) are as they are.
   */
  #loginFailure(error: unknown, url: string): unknown {
    if (!(error instanceof BadRequestError || error instanceof UnauthorizedError)) return error;
    const from = this.#from ?? "the embedded server's own superuser";
    return errorFromStatus({
      status: error.status,
      message: `pocketmap: could not log in as the superuser "${this.#email}" (from ${from}) at ${url}: ${error.message} Check that email and password, and that the account is a superuser (in _superusers) of this server.`,
      data: error.data,
      url: error.url,
      method: error.method,
      cause: error,
    });
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
      try {
        response = await transport.send(
          records.authWithPassword("_superusers", identity, password),
          this.#sendOptions(),
        );
      } catch (error) {
        // PocketBase before 0.23 had admins instead of a _superusers collection.
        if (!(error instanceof NotFoundError)) throw error;
        response = await transport.send(
          {
            method: "POST",
            path: "/api/admins/auth-with-password",
            body: JSON.stringify({ identity, password }),
            auth: false,
            secrets: [password],
          },
          this.#sendOptions(),
        );
      }
    } catch (error) {
      throw this.#loginFailure(error, transport.url);
    }
    const result = response.body as { token: string; record?: BaseRecord; admin?: BaseRecord };
    this.#adopt(result.token);
    this.onAuth({ collection: "_superusers", id: (result.record ?? result.admin)?.id ?? "" });
    return result.token;
  }
}

/**
 * Resolves with `token` once the event loop has turned. undici's pool counts the connection that
 * carried the login as busy until then, so the requests that waited for the login would open a second
 * connection (on a remote server, another TCP and TLS handshake) instead of reusing that one.
 */
function connectionFree(token: string): Promise<string> {
  return new Promise((resolve) => setImmediate(resolve, token));
}
