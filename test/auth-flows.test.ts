// Every auth flow of `collection.auth`, on both kinds, against a PocketBase of its own whose SMTP
// settings point at a real SMTP catcher (settings are global: the shared server is left alone), and
// whose auth collection has an OpenID Connect provider served by a stub on a loopback port. Codes and
// tokens come from the real emails; the OAuth2 code from the provider's real redirect.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type AsyncEnvironment,
  BadRequestError,
  MFARequiredError,
  setup,
  UnauthorizedError,
} from "../src/index.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";
import { type AuthServers, startAuthServers } from "./auth-servers.ts";
import { KINDS, openEnvWith, settle } from "./kinds.ts";
import { otpFromMail, tokenFromMail } from "./mail-catcher.ts";

let pb: EmbeddedServer;
let servers: AuthServers;
let admin: AsyncEnvironment;
const PASSWORD = "member-password-1";

/** A fresh member of `collection` with its own address. */
async function newMember(collection = "members", fields: Record<string, unknown> = {}) {
  const email = `m${randomBytes(4).toString("hex")}@pocketmap.test`;
  const record = await admin
    .collection(collection)
    .create({ email, password: PASSWORD, passwordConfirm: PASSWORD, ...fields });
  return { email, id: record.id };
}

beforeAll(async () => {
  [pb, servers] = await Promise.all([startEmbedded(), startAuthServers()]);
  const { smtp, oidc } = servers;
  admin = setup({ async: true, url: pb.url, email: pb.email, password: pb.password });
  await admin.send("/api/settings", {
    method: "PATCH",
    body: {
      meta: {
        appName: "pocketmap",
        appURL: pb.url,
        senderName: "pocketmap",
        senderAddress: "noreply@pocketmap.test",
      },
      smtp: { enabled: true, host: smtp.host, port: smtp.port, tls: false },
    },
  });
  const owner = "id = @request.auth.id";
  const common = {
    type: "auth",
    listRule: owner,
    viewRule: owner,
    updateRule: owner,
    fields: [{ name: "name", type: "text" }],
    otp: { enabled: true, duration: 300, length: 8 },
  };
  await admin.createCollection({
    ...common,
    name: "members",
    // OAuth2 sign-ups create records.
    createRule: "",
    oauth2: {
      enabled: true,
      providers: [
        {
          name: "oidc",
          displayName: "Stub",
          clientId: oidc.clientId,
          clientSecret: oidc.clientSecret,
          authURL: `${oidc.url}/authorize`,
          tokenURL: `${oidc.url}/token`,
          userInfoURL: `${oidc.url}/userinfo`,
          pkce: true,
        },
      ],
    },
  });
  await admin.createCollection({ ...common, name: "mfa_members", mfa: { enabled: true, duration: 600 } });
});

afterAll(async () => {
  await admin?.close();
  await Promise.all([pb?.stop(), servers?.close()]);
});

describe.each(KINDS)("collection.auth (%s)", (kind) => {
  let env: AsyncEnvironment;
  beforeAll(() => {
    env = openEnvWith(kind, { url: pb.url, email: pb.email, password: pb.password });
  });
  afterAll(async () => {
    await env?.close();
  });

  it("auth(identity, password) returns { token, record } and changes nothing else", async () => {
    const member = await newMember();
    const other = await newMember();
    const events: unknown[] = [];
    env.on("auth", ({ data }) => {
      events.push(data);
    });
    const result = await env.members!.auth(member.email, PASSWORD);
    expect(result.record).toMatchObject({ id: member.id, email: member.email, collectionName: "members" });
    expect(result.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(result.meta).toBeUndefined();
    // Still the superuser: it sees every member, the new one included, and lists collections.
    const ids = (await env.members!.getFullList({ fields: "id" })).map((record) => record.id);
    expect(ids).toEqual(expect.arrayContaining([member.id, other.id]));
    expect(await env.keys()).toContain("members");
    // The event says who logged in, never with what.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events).toContainEqual({ collection: "members", id: member.id });
    expect(JSON.stringify(events)).not.toContain(result.token);
    // The namespace's password login is the same call.
    const again = await env.members!.auth.withPassword(member.email, PASSWORD, {
      fields: "token,record.id,record.email",
    });
    expect(again.record).toEqual({ id: member.id, email: member.email });
    const wrong = await settle(() => env.members!.auth(member.email, "not-the-password")).catch(
      (e: unknown) => e,
    );
    expect(wrong).toBeInstanceOf(BadRequestError);
    expect((wrong as Error).message).not.toContain("not-the-password");
  });

  it("methods() lists password, OTP, MFA and the OAuth2 provider", async () => {
    const methods = await env.members!.auth.methods();
    expect(methods.password).toMatchObject({ enabled: true, identityFields: ["email"] });
    expect(methods.otp).toMatchObject({ enabled: true, duration: 300 });
    expect(methods.mfa.enabled).toBe(false);
    expect(methods.oauth2.enabled).toBe(true);
    expect(methods.oauth2.providers.map((provider) => provider.name)).toEqual(["oidc"]);
    expect((await env.mfa_members!.auth.methods()).mfa.enabled).toBe(true);
  });

  it("requestOTP / withOTP log in with the code from the real email", async () => {
    const member = await newMember();
    const { otpId } = await env.members!.auth.requestOTP(member.email);
    const code = otpFromMail(await servers.mail.next(member.email, /^OTP/));
    expect(code).toMatch(/^\d{8}$/);
    const result = await env.members!.auth.withOTP(otpId, code);
    expect(result.record).toMatchObject({ id: member.id, email: member.email });
    // An OTP is single use.
    const reused = await settle(() => env.members!.auth.withOTP(otpId, code)).catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(BadRequestError);
  });

  it("MFA: the password throws MFARequiredError with mfaId; the emailed OTP with { mfaId } completes it", async () => {
    const member = await newMember("mfa_members");
    const first = await settle(() => env.mfa_members!.auth(member.email, PASSWORD)).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(MFARequiredError);
    expect(first).toBeInstanceOf(UnauthorizedError);
    const { mfaId } = first as MFARequiredError;
    expect(mfaId).toMatch(/^\w+$/);
    expect((first as MFARequiredError).status).toBe(401);
    // The OTP alone is a first factor again.
    const { otpId } = await env.mfa_members!.auth.requestOTP(member.email);
    const code = otpFromMail(await servers.mail.next(member.email, /^OTP/));
    const result = await env.mfa_members!.auth.withOTP(otpId, code, { mfaId });
    expect(result.record).toMatchObject({ id: member.id, collectionName: "mfa_members" });
    expect(result.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it("requestVerification / confirmVerification with the token from the email", async () => {
    const member = await newMember();
    expect((await admin.members!.getOne(member.id)).verified).toBe(false);
    await env.members!.auth.requestVerification(member.email);
    const token = tokenFromMail(await servers.mail.next(member.email, /verify/i), "confirm-verification");
    await env.members!.auth.confirmVerification(token);
    expect((await admin.members!.getOne(member.id)).verified).toBe(true);
  });

  it("requestPasswordReset / confirmPasswordReset with the token from the email", async () => {
    const member = await newMember();
    await env.members!.auth.requestPasswordReset(member.email);
    const token = tokenFromMail(await servers.mail.next(member.email, /reset/i), "confirm-password-reset");
    await env.members!.auth.confirmPasswordReset(token, "a-new-password-2");
    const old = await settle(() => env.members!.auth(member.email, PASSWORD)).catch((e: unknown) => e);
    expect(old).toBeInstanceOf(BadRequestError);
    expect((await env.members!.auth(member.email, "a-new-password-2")).record.id).toBe(member.id);
  });

  it("requestEmailChange (as the member) / confirmEmailChange with the token sent to the new address", async () => {
    const member = await newMember();
    const newEmail = `changed-${randomBytes(4).toString("hex")}@pocketmap.test`;
    const asMember = env.as(await env.members!.auth(member.email, PASSWORD));
    await asMember.members!.auth.requestEmailChange(newEmail);
    const token = tokenFromMail(await servers.mail.next(newEmail, /email/i), "confirm-email-change");
    await env.members!.auth.confirmEmailChange(token, PASSWORD);
    expect((await env.members!.auth(newEmail, PASSWORD)).record).toMatchObject({
      id: member.id,
      email: newEmail,
    });
    // As the superuser it needs a member's identity: PocketBase refuses another collection's auth.
    const refused = await settle(() => env.members!.auth.requestEmailChange("x@pocketmap.test")).catch(
      (e: unknown) => e,
    );
    expect((refused as { status: number }).status).toBeGreaterThanOrEqual(400);
  });

  it("refresh(token) returns a fresh token for the same record", async () => {
    const member = await newMember();
    const first = await env.members!.auth(member.email, PASSWORD);
    const refreshed = await env.members!.auth.refresh(first.token);
    expect(refreshed.record.id).toBe(member.id);
    expect(refreshed.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const bad = await settle(() => env.members!.auth.refresh("not.a.token")).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(UnauthorizedError);
  });

  it("impersonate(id, duration) gives a token acting as that record (superuser)", async () => {
    const member = await newMember();
    await newMember();
    const result = await env.members!.auth.impersonate(member.id, 120);
    expect(result.record.id).toBe(member.id);
    const exp = JSON.parse(Buffer.from(result.token.split(".")[1]!, "base64url").toString()).exp as number;
    expect(exp - Date.now() / 1000).toBeLessThanOrEqual(121);
    const asMember = env.as(result);
    expect((await asMember.members!.getFullList()).map((record) => record.id)).toEqual([member.id]);
    // A member cannot impersonate.
    const refused = await settle(() => asMember.members!.auth.impersonate(member.id)).catch(
      (e: unknown) => e,
    );
    expect((refused as { status: number }).status).toBe(403);
  });

  it("withOAuth2Code exchanges the provider's code through PocketBase", async () => {
    const methods = await env.members!.auth.methods();
    const provider = methods.oauth2.providers.find((entry) => entry.name === "oidc")!;
    const redirectURL = `${pb.url}/api/oauth2-redirect`;
    const user = {
      sub: `sub-${kind}-${randomBytes(3).toString("hex")}`,
      email: `oidc-${kind}@pocketmap.test`,
      name: "Oidc",
    };
    await servers.oidc.setUser(user);
    // What a browser does: follow authURL (with our redirect), and read the code from the redirect back.
    const authorize = await fetch(provider.authURL + encodeURIComponent(redirectURL), { redirect: "manual" });
    expect(authorize.status).toBe(302);
    const back = new URL(authorize.headers.get("location")!);
    expect(back.searchParams.get("state")).toBe(provider.state);
    const code = back.searchParams.get("code")!;
    const result = await env.members!.auth.withOAuth2Code("oidc", code, provider.codeVerifier, redirectURL, {
      createData: { name: "Created by OAuth2" },
    });
    expect(result.record).toMatchObject({ email: user.email, name: "Created by OAuth2" });
    expect(result.meta).toMatchObject({ id: user.sub, email: user.email });
    // The code was used: a second exchange is refused by the provider, so by PocketBase.
    const reused = await settle(() =>
      env.members!.auth.withOAuth2Code("oidc", code, provider.codeVerifier, redirectURL),
    ).catch((e: unknown) => e);
    expect(reused).toBeInstanceOf(BadRequestError);
    expect(servers.oidc.refused).toContain("code");
  });

  it("a non-auth collection or bad input fails clearly", async () => {
    await admin.createCollection({ name: `plain_${kind}`, type: "base", fields: [] }).catch(() => undefined);
    const error = await settle(() => env.collection(`plain_${kind}`).auth("a@b.c", "x")).catch(
      (e: unknown) => e,
    );
    expect((error as { status: number }).status).toBe(404);
    const empty = await settle(() => env.members!.auth("", "")).catch((e: unknown) => e);
    expect((empty as Error).name).toBe("InvalidInputError");
  });
});
