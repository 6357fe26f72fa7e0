// Every auth flow of a collection as a request description (method, path, body), and the checks of
// what `env.as()` takes. No I/O.

import { InvalidInputError } from "./errors/invalid-input.ts";
import { UnauthorizedError } from "./errors/unauthorized.ts";
import { collectionPath, type RequestSpec, recordPath } from "./operations.ts";
import { checkOptions } from "./option-checks.ts";
import type { IdentityInput, OAuth2Options, QueryValue, RecordOptions } from "./types.ts";
import { normalizeExpand, normalizeFields, toJsonBody } from "./validate.ts";

function text(value: unknown, name: string): string {
  if (typeof value !== "string" || value === "") {
    throw new InvalidInputError(`pocketmap: ${name} must be a non-empty string`);
  }
  return value;
}

/** The record's expand/fields and the MFA id (PocketBase reads `mfaId` from the query first). */
function authQuery(options: (RecordOptions & { mfaId?: string }) | undefined): Record<string, QueryValue> {
  const query: Record<string, QueryValue> = { ...options?.query };
  const expand = normalizeExpand(options?.expand);
  const fields = normalizeFields(options?.fields);
  if (expand !== undefined) query.expand = expand;
  if (fields !== undefined) query.fields = fields;
  if (options?.mfaId !== undefined) query.mfaId = text(options.mfaId, "mfaId");
  return query;
}

function post(
  collection: string,
  action: string,
  body: Record<string, unknown>,
  extra: Partial<RequestSpec> = {},
): RequestSpec {
  return {
    method: "POST",
    path: `${collectionPath(collection)}/${action}`,
    body: toJsonBody(body, "body"),
    expect: "empty",
    ...extra,
  };
}

/** A login: sent without the environment's token (it must not decide who logs in). */
function login(
  collection: string,
  action: string,
  body: Record<string, unknown>,
  options: (RecordOptions & { mfaId?: string }) | undefined,
  secrets: string[],
): RequestSpec {
  return post(collection, action, body, {
    query: authQuery(options),
    auth: false,
    expect: "auth",
    secrets,
  });
}

export const auth = {
  withPassword(collection: string, identity: string, password: string, options?: RecordOptions): RequestSpec {
    checkOptions("auth", options, "auth.withPassword()");
    text(identity, "identity");
    text(password, "password");
    return login(collection, "auth-with-password", { identity, password }, options, [password]);
  },
  requestOTP(collection: string, email: string): RequestSpec {
    return post(
      collection,
      "request-otp",
      { email: text(email, "email") },
      { auth: false, expect: "object" },
    );
  },
  withOTP(collection: string, otpId: string, code: string, options?: RecordOptions): RequestSpec {
    checkOptions("auth", options, "auth.withOTP()");
    const body = { otpId: text(otpId, "otpId"), password: text(code, "code") };
    return login(collection, "auth-with-otp", body, options, [code]);
  },
  withOAuth2Code(
    collection: string,
    provider: string,
    code: string,
    codeVerifier: string,
    redirectURL: string,
    options?: OAuth2Options,
  ): RequestSpec {
    checkOptions("oauth2", options, "auth.withOAuth2Code()");
    const body: Record<string, unknown> = {
      provider: text(provider, "provider"),
      code: text(code, "code"),
      codeVerifier: typeof codeVerifier === "string" ? codeVerifier : text(codeVerifier, "codeVerifier"),
      redirectURL: text(redirectURL, "redirectURL"),
    };
    if (options?.createData !== undefined) body.createData = options.createData;
    return login(collection, "auth-with-oauth2", body, options, [
      code,
      ...(codeVerifier ? [codeVerifier] : []),
    ]);
  },
  methods(collection: string): RequestSpec {
    return {
      method: "GET",
      path: `${collectionPath(collection)}/auth-methods`,
      auth: false,
      expect: "object",
    };
  },
  /** Sent with `token` itself, never the environment's (see the async implementation). */
  refresh(collection: string, options?: RecordOptions): RequestSpec {
    checkOptions("record", options, "auth.refresh()");
    return post(collection, "auth-refresh", {}, { query: authQuery(options), auth: false, expect: "auth" });
  },
  impersonate(collection: string, id: string, duration?: number, options?: RecordOptions): RequestSpec {
    checkOptions("record", options, "auth.impersonate()");
    if (duration !== undefined && (!Number.isInteger(duration) || duration < 0)) {
      throw new InvalidInputError("pocketmap: duration must be a whole number of seconds (0: the default)");
    }
    const path = recordPath(collection, id).replace(/\/records\/([^/]+)$/, "/impersonate/$1");
    return {
      method: "POST",
      path,
      query: authQuery(options),
      body: toJsonBody(duration === undefined ? {} : { duration }, "body"),
      expect: "auth",
    };
  },
  requestVerification(collection: string, email: string): RequestSpec {
    return post(collection, "request-verification", { email: text(email, "email") }, { auth: false });
  },
  confirmVerification(collection: string, token: string): RequestSpec {
    text(token, "token");
    return post(collection, "confirm-verification", { token }, { auth: false, secrets: [token] });
  },
  requestPasswordReset(collection: string, email: string): RequestSpec {
    return post(collection, "request-password-reset", { email: text(email, "email") }, { auth: false });
  },
  confirmPasswordReset(
    collection: string,
    token: string,
    password: string,
    passwordConfirm = password,
  ): RequestSpec {
    text(token, "token");
    text(password, "password");
    text(passwordConfirm, "passwordConfirm");
    return post(
      collection,
      "confirm-password-reset",
      { token, password, passwordConfirm },
      { auth: false, secrets: [token, password, passwordConfirm] },
    );
  },
  /** Sent as the environment's identity: the record whose email changes. */
  requestEmailChange(collection: string, newEmail: string): RequestSpec {
    return post(collection, "request-email-change", { newEmail: text(newEmail, "newEmail") });
  },
  confirmEmailChange(collection: string, token: string, password: string): RequestSpec {
    text(token, "token");
    text(password, "password");
    return post(
      collection,
      "confirm-email-change",
      { token, password },
      { auth: false, secrets: [token, password] },
    );
  },
};

/** The claims of a PocketBase token that pocketmap reads; none of them is a secret. */
export interface TokenClaims {
  exp?: number;
  collectionId?: string;
  /** PocketBase 0.22 and earlier: "admin" for an admin's token. */
  type?: string;
  /** false for tokens that cannot be refreshed (impersonation); absent before PocketBase 0.23. */
  refreshable?: boolean;
}

// A server that acts as each caller reads the same few tokens over and over: their claims are kept
// (a bounded map, emptied when full; claims are not secrets, and the tokens are in memory anyway).
const claimsCache = new Map<string, TokenClaims>();
const CLAIMS_CACHE_SIZE = 1024;

/** The readable claims of a JWT, or an empty object when it has none (the token stays opaque). */
export function tokenClaims(token: string): TokenClaims {
  const cached = claimsCache.get(token);
  if (cached) return cached;
  const payload = token.split(".")[1];
  let claims: TokenClaims = {};
  if (payload) {
    try {
      const json: unknown = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
      if (json && typeof json === "object") claims = Object.freeze({ ...(json as TokenClaims) });
    } catch {
      // Not a JWT: no claims.
    }
  }
  if (claimsCache.size >= CLAIMS_CACHE_SIZE) claimsCache.clear();
  claimsCache.set(token, claims);
  return claims;
}

/** An identity for `env.as()`: the token, and the auth collection that refreshes it when known. */
export interface AsIdentity {
  token: string;
  /** The record's auth collection (name or id), from the result's record, else the token's claims. */
  collection?: string;
  /** When `as()` was called (ms): the token's renewal point is counted from then, on both kinds. */
  at?: number;
}

/** Checks what `env.as()` was given: a token, or an auth result (`{ token, record }`). */
export function asIdentity(input: IdentityInput): AsIdentity {
  const token = typeof input === "string" ? input : (input as { token?: unknown } | null)?.token;
  if (typeof token !== "string" || token === "" || /\s/.test(token)) {
    throw new InvalidInputError(
      "pocketmap: as() takes a token or an auth result ({ token, record }), e.g. env.as(await env.users.auth(email, password))",
    );
  }
  const claims = tokenClaims(token);
  if (typeof claims.exp !== "number") {
    // PocketBase answers a token it cannot read as a guest: refuse it here rather than act as nobody.
    // An UnauthorizedError (401), not bad input: a server handing on a request's Authorization header
    // then answers its own client 401, not 500.
    throw new UnauthorizedError({
      status: 401,
      message:
        "pocketmap: as() was given a token that is not a PocketBase auth token (a JWT with an exp claim); nothing was sent. Pass the token of a login, or the login's result",
    });
  }
  const record = typeof input === "string" ? undefined : input.record;
  const collection = record?.collectionName || record?.collectionId || claims.collectionId;
  const at = Date.now();
  return collection ? { token, collection, at } : { token, at };
}
