// The auth surface's member list: `collection.auth(identity, password)` is a function that is also a
// namespace of every other flow; the types are declared with the other interfaces in types.ts.
import type { Auth, Kind } from "./types.ts";

export type {
  Auth,
  AuthMethods,
  AuthOptions,
  AuthProviderInfo,
  AuthResult,
  IdentityInput,
  OAuth2Options,
} from "./types.ts";

/** The namespace's members, in one list (the sync kind forwards each by name). */
export const AUTH_METHODS = [
  "withPassword",
  "requestOTP",
  "withOTP",
  "withOAuth2Code",
  "methods",
  "refresh",
  "impersonate",
  "requestVerification",
  "confirmVerification",
  "requestPasswordReset",
  "confirmPasswordReset",
  "requestEmailChange",
  "confirmEmailChange",
] as const satisfies readonly (keyof Auth<Kind>)[];

export type AuthMethod = (typeof AUTH_METHODS)[number];
