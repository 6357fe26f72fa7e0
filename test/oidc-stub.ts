// A tiny OpenID Connect provider on a loopback port, enough for PocketBase's "oidc" provider: an
// authorize endpoint that redirects back at once with a code (as a provider does after its user
// agreed), a token endpoint that checks the code, the client's secret and the PKCE verifier, and a
// userinfo endpoint. Real HTTP, real redirects; only the user's consent screen is skipped.
import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface OidcUser {
  sub: string;
  email: string;
  name: string;
}

export interface OidcStub {
  url: string;
  clientId: string;
  clientSecret: string;
  /** Who the next authorization logs in as. */
  user: OidcUser;
  /** Token requests that were refused (a wrong secret, code or verifier), for the tests to assert. */
  readonly refused: string[];
  close(): Promise<void>;
}

function body(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      text += chunk;
    });
    request.on("end", () => resolve(text));
    request.on("error", reject);
  });
}

export async function startOidcStub(onRefused: (why: string) => void = () => {}): Promise<OidcStub> {
  const clientId = "pocketmap-test";
  const clientSecret = randomBytes(12).toString("hex");
  const codes = new Map<string, { challenge: string; redirect: string; user: OidcUser }>();
  const accessTokens = new Map<string, OidcUser>();
  const refused: string[] = [];
  const stub: OidcStub = {
    url: "",
    clientId,
    clientSecret,
    user: { sub: "someone", email: "someone@oidc.test", name: "Someone" },
    refused,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };

  const server = createServer(async (request, response) => {
    const url = new URL(request.url ?? "/", stub.url);
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(value));
    };
    if (url.pathname === "/authorize") {
      const redirect = url.searchParams.get("redirect_uri") ?? "";
      if (url.searchParams.get("client_id") !== clientId || !redirect)
        return json(400, { error: "invalid_request" });
      const code = randomBytes(16).toString("hex");
      codes.set(code, {
        challenge: url.searchParams.get("code_challenge") ?? "",
        redirect,
        user: { ...stub.user },
      });
      const back = new URL(redirect);
      back.searchParams.set("code", code);
      back.searchParams.set("state", url.searchParams.get("state") ?? "");
      response.writeHead(302, { location: back.href });
      return response.end();
    }
    if (url.pathname === "/token" && request.method === "POST") {
      const form = new URLSearchParams(await body(request));
      const basic = request.headers.authorization?.startsWith("Basic ")
        ? Buffer.from(request.headers.authorization.slice(6), "base64")
            .toString()
            .split(":")
            .map(decodeURIComponent)
        : [form.get("client_id"), form.get("client_secret")];
      const granted = codes.get(form.get("code") ?? "");
      const verifier = form.get("code_verifier") ?? "";
      const challenge = createHash("sha256").update(verifier).digest("base64url");
      const problem =
        basic[0] !== clientId || basic[1] !== clientSecret
          ? "client"
          : !granted
            ? "code"
            : granted.challenge && granted.challenge !== challenge
              ? "verifier"
              : granted.redirect !== form.get("redirect_uri")
                ? "redirect_uri"
                : undefined;
      if (problem || !granted) {
        refused.push(problem ?? "code");
        onRefused(problem ?? "code");
        // Without a client in the form, golang's oauth2 retries with it there: only say "client".
        return json(problem === "client" ? 401 : 400, {
          error: problem === "client" ? "invalid_client" : "invalid_grant",
        });
      }
      codes.delete(form.get("code") ?? "");
      const accessToken = randomBytes(16).toString("hex");
      accessTokens.set(accessToken, granted.user);
      return json(200, { access_token: accessToken, token_type: "Bearer", expires_in: 3600 });
    }
    if (url.pathname === "/userinfo") {
      const user = accessTokens.get((request.headers.authorization ?? "").replace(/^Bearer /, ""));
      if (!user) return json(401, { error: "invalid_token" });
      return json(200, { ...user, email_verified: true });
    }
    json(404, { error: "not_found" });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return stub;
}
