// Runs every ```ts example of docs/auth.md, in order, against a PocketBase of its own with a real SMTP
// catcher and an OIDC provider stub (see auth-flows.test.ts), and checks what each one printed.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import * as pocketmap from "../src/index.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";
import { type AuthServers, startAuthServers } from "./auth-servers.ts";
import { runExamples, useServerVariables } from "./docs-examples.ts";
import { otpFromMail, tokenFromMail } from "./mail-catcher.ts";

let pb: EmbeddedServer;
let servers: AuthServers;
let dir: string;
let restore: () => void = () => {};

beforeAll(async () => {
  [pb, servers] = await Promise.all([startEmbedded(), startAuthServers()]);
  dir = await mkdtemp(join(tmpdir(), "pocketmap-docs-"));
  const admin = pocketmap.setup({ async: true, url: pb.url, email: pb.email, password: pb.password });
  await admin.send("/api/settings", {
    method: "PATCH",
    body: {
      meta: { appURL: pb.url, senderName: "docs", senderAddress: "docs@pocketmap.test" },
      smtp: { enabled: true, host: servers.smtp.host, port: servers.smtp.port, tls: false },
    },
  });
  const { oidc } = servers;
  await admin.send("/api/collections/users", {
    method: "PATCH",
    body: {
      otp: { enabled: true },
      oauth2: {
        enabled: true,
        providers: [
          {
            name: "oidc",
            clientId: oidc.clientId,
            clientSecret: oidc.clientSecret,
            authURL: `${oidc.url}/authorize`,
            tokenURL: `${oidc.url}/token`,
            userInfoURL: `${oidc.url}/userinfo`,
          },
        ],
      },
    },
  });
  await admin.createCollection({
    name: "staff",
    type: "auth",
    fields: [],
    mfa: { enabled: true },
    otp: { enabled: true },
  });
  const credentials = { password: "docs-password-1", passwordConfirm: "docs-password-1" };
  // Verified, as a user who keeps a password usually is: PocketBase replaces the password of an
  // unverified user whose OTP login verifies the address (pre-hijacking protection; docs/auth.md).
  await admin.users!.create({ email: "reader@pocketmap.test", verified: true, ...credentials });
  await admin.users!.create({ email: "someone@pocketmap.test", ...credentials });
  await admin.staff!.create({ email: "reader@pocketmap.test", ...credentials });
  await servers.oidc.setUser({ sub: "docs-oidc", email: "oidc@pocketmap.test", name: "Oidc" });
  await admin.close();
  restore = useServerVariables(pb);
});

afterAll(async () => {
  restore();
  await Promise.all([pb?.stop(), servers?.close(), dir && rm(dir, { recursive: true, force: true })]);
});

/** What the examples call `askTheUser`: the code or token from the email, or the OAuth2 redirect. */
async function askTheUser(address: string, what: string): Promise<unknown> {
  if (what === "oauth2") {
    const back = await fetch(address, { redirect: "manual" });
    const location = new URL(back.headers.get("location")!);
    return { code: location.searchParams.get("code"), state: location.searchParams.get("state") };
  }
  if (what === "otp") return otpFromMail(await servers.mail.next(address, /^OTP/));
  const [subject, action] = {
    verification: [/verify/i, "confirm-verification"],
    reset: [/reset/i, "confirm-password-reset"],
    "email-change": [/email/i, "confirm-email-change"],
  }[what] as [RegExp, string];
  return tokenFromMail(await servers.mail.next(address, subject), action);
}

it("every example in docs/auth.md runs and prints what the text says", async () => {
  const env = pocketmap.setup({ async: true });
  const names = [
    "env",
    "email",
    "password",
    "someone",
    "askTheUser",
    "setup",
    "MFARequiredError",
    "UnauthorizedError",
    "InvalidInputError",
  ];
  const context = {
    ...pocketmap,
    env,
    email: "reader@pocketmap.test",
    password: "docs-password-1",
    someone: "someone@pocketmap.test",
    askTheUser,
  };
  let logs: unknown[][];
  try {
    logs = await runExamples("auth.md", names, context, dir);
  } finally {
    await env.close();
  }
  expect(logs.length).toBeGreaterThanOrEqual(12);
  const reader = await pocketmap
    .setup({ async: true })
    .users!.getFirst({ filter: { email: "reader@pocketmap.test" } });
  expect(logs).toEqual([
    [true, true],
    [true, ["oidc"]],
    [reader.id, true],
    ["reader@pocketmap.test"],
    ["logged in with two factors as", expect.any(String)],
    ["oidc@pocketmap.test", "oidc@pocketmap.test"],
    [true],
    [],
    [true],
    [1, 3],
    [1],
    [200, 401],
  ]);
}, 120_000);
