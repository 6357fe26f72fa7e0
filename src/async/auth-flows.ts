// `collection.auth`: a function (password login) that is also the namespace of every other auth flow.
// Logins return `{ token, record, meta? }` and change nothing else; the environment keeps its identity.

import { auth as operations } from "../abstract/auth-operations.ts";
import type { RequestSpec } from "../abstract/operations.ts";
import { authSurface } from "../abstract/surface.ts";
import type {
  Auth,
  AuthMethods,
  AuthOptions,
  AuthResult,
  BaseRecord,
  OAuth2Options,
  RecordOf,
  RecordOptions,
} from "../abstract/types.ts";
import type { Client } from "./client.ts";
import { guardMethods } from "./guard.ts";

/** The async kind's `collection.auth` for collection `name`. */
export function createAuth<T extends object = BaseRecord>(client: Client, name: string): Auth<"async", T> {
  type Result = AuthResult<RecordOf<T>>;

  const login = async (spec: RequestSpec, options?: RecordOptions): Promise<Result> => {
    const result = await client.request<Result>(spec, options);
    // Who logged in, never the token.
    if (client.events.listenerCount("auth") > 0) {
      void client.events.emit("auth", { collection: name, id: result.record.id });
    }
    return result;
  };
  const send = async (spec: RequestSpec): Promise<void> => {
    await client.request(spec);
  };

  const withPassword = async (identity: string, password: string, options?: AuthOptions) =>
    login(operations.withPassword(name, identity, password, options), options);

  const members = {
    withPassword,
    requestOTP: async (email: string) =>
      client.request<{ otpId: string }>(operations.requestOTP(name, email)),
    withOTP: async (otpId: string, code: string, options?: AuthOptions) =>
      login(operations.withOTP(name, otpId, code, options), options),
    withOAuth2Code: async (
      provider: string,
      code: string,
      codeVerifier: string,
      redirectURL: string,
      options?: OAuth2Options,
    ) => login(operations.withOAuth2Code(name, provider, code, codeVerifier, redirectURL, options), options),
    methods: async () => client.request<AuthMethods>(operations.methods(name)),
    refresh: async (token: string, options?: RecordOptions) => {
      // Sent with that token, not the environment's (the guard checked it).
      return login({ ...operations.refresh(name, options), token, secrets: [token] }, options);
    },
    impersonate: async (id: string, duration?: number, options?: RecordOptions) =>
      login(operations.impersonate(name, id, duration, options), options),
    requestVerification: async (email: string) => send(operations.requestVerification(name, email)),
    confirmVerification: async (token: string) => send(operations.confirmVerification(name, token)),
    requestPasswordReset: async (email: string) => send(operations.requestPasswordReset(name, email)),
    confirmPasswordReset: async (token: string, password: string, passwordConfirm?: string) =>
      send(operations.confirmPasswordReset(name, token, password, passwordConfirm)),
    requestEmailChange: async (newEmail: string) => send(operations.requestEmailChange(name, newEmail)),
    confirmEmailChange: async (token: string, password: string) =>
      send(operations.confirmEmailChange(name, token, password)),
  } satisfies Omit<Auth<"async", T>, never>;
  guardMethods(members, authSurface, (_, method) => ({ where: `auth.${method}()`, collection: name }));
  const call = (identity: string, password: string, options?: AuthOptions) =>
    members.withPassword(identity, password, options);
  return Object.assign(call, members) as Auth<"async", T>;
}
