import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { expect, inject } from "vitest";
import { type AsyncEnvironment, NotFoundError, setup } from "../src/index.ts";
import { installPocketBase } from "../src/server/binary.ts";
import { type EmbeddedServer, startEmbedded } from "../src/server/embedded.ts";
import { postsModel } from "./collections.ts";

export const server = () => inject("pocketbase");

/** Whether the suite's server is `release` or newer (`"0.24"`, `"0.39"`). */
export function atLeast(release: string): boolean {
  const [major = 0, minor = 0] = server().version.split(".").map(Number);
  const [wantMajor = 0, wantMinor = 0] = release.split(".").map(Number);
  return major > wantMajor || (major === wantMajor && minor >= wantMinor);
}

/** A superuser token for the suite's server, by a plain login (for environments set up with `token`). */
export async function superuserToken(): Promise<string> {
  const { url, email, password } = server();
  const response = await fetch(`${url}/api/collections/_superusers/auth-with-password`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ identity: email, password }),
  });
  return ((await response.json()) as { token: string }).token;
}

/** Polls `check` until it holds, for at most `ms` (a hang guard, not a speed check). */
export async function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleepMs(10))
    if (await check()) return true;
  return check();
}

const sleepMs = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The integers from `from` up to (not including) `to`. */
export const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Every record's `n`, read back from the server, sorted; fails if any record is there twice. */
export async function allN(env: AsyncEnvironment, name: string): Promise<number[]> {
  const records = await env.collection(name).getFullList({ fields: "id,n" });
  expect(new Set(records.map((record) => record.id)).size).toBe(records.length);
  return records.map((record) => Number(record.n)).sort((a, b) => a - b);
}

/** An async environment on the suite's server, as the superuser. */
export function superuserEnv(): AsyncEnvironment {
  const { url, email, password } = server();
  return setup({ async: true, url, email, password });
}

/** A unique collection name, so that test files running at once never share records. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(4).toString("hex")}`;
}

/**
 * Waits until a new collection answers record requests. PocketBase 0.23 reloads its collection cache
 * after each schema change; with test files creating collections at once, a record request right
 * after the create can still get "Missing collection context" there.
 */
export async function visible(env: AsyncEnvironment, name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await env.collection(name).count();
      return;
    } catch (error) {
      if (!(error instanceof NotFoundError) || attempt >= 40) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Creates a fresh posts-like collection and returns its name. */
export async function freshPosts(env: AsyncEnvironment, prefix = "posts"): Promise<string> {
  const name = uniqueName(prefix);
  const authors = await env.send<{ id: string }>("/api/collections/authors", { query: { fields: "id" } });
  await env.createCollection(postsModel(name, authors.id));
  await visible(env, name);
  return name;
}

/**
 * A TCP listener that counts connections and never answers (or drops them at once): it proves that
 * bad input sent nothing, and gives the transport a network to fail on. It is not an HTTP server.
 */
export async function tripwire(mode: "silent" | "drop" = "silent") {
  const { createServer } = await import("node:net");
  const sockets = new Set<import("node:net").Socket>();
  let connections = 0;
  const listener = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    if (mode === "drop") socket.destroy();
  });
  await new Promise<void>((done) => listener.listen(0, "127.0.0.1", done));
  const address = listener.address() as import("node:net").AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        listener.close(() => done());
      }),
  };
}

/** Whether a PocketBase answers at this URL (used to prove that a server has stopped). */
export async function reachable(url: string): Promise<boolean> {
  try {
    await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}

/** Whether the server at this URL has gone away, allowing a moment for a killed process to exit. */
export async function gone(url: string): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    if (!(await reachable(url))) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** The PocketBase serving this URL: its pid and --dir, found in /proc by its --http address. */
export function pocketBaseAt(url: string): { pid: number; dir: string } | undefined {
  const http = `--http=${new URL(url).host}`;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let args: string[];
    try {
      args = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
    } catch {
      continue;
    }
    if (!args.includes("serve") || !args.includes(http)) continue;
    const dir = args.find((arg) => arg.startsWith("--dir="))?.slice("--dir=".length);
    if (dir) return { pid: Number(entry), dir };
  }
  return undefined;
}

/** Whether a process has ended (a zombie that init has not reaped yet counts as ended). */
export function ended(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
}

/** Polls `check` until it holds, for at most `ms` (a hang guard, not a speed check). */
export async function eventually(check: () => boolean, ms = 10_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    if (check()) return true;
  }
  return check();
}

/**
 * A PocketBase of the project's version for one test file alone (settings, backups and restores
 * would disturb the files sharing the suite's server); the caller stops it.
 */
export async function privateServer(): Promise<EmbeddedServer> {
  return startEmbedded({ bin: await installPocketBase(server().version) });
}

/** A server's URL and superuser, as setup() options (a replication's side). */
export const side = (s: EmbeddedServer) => ({ url: s.url, email: s.email, password: s.password });

/** Two private servers, each with an async superuser environment: a replication's two sides. */
export interface TwoServers {
  a: EmbeddedServer;
  b: EmbeddedServer;
  envA: AsyncEnvironment;
  envB: AsyncEnvironment;
  /** Closes both environments, then stops both servers. */
  close(): Promise<void>;
}

export async function twoServers(): Promise<TwoServers> {
  const [a, b] = await Promise.all([privateServer(), privateServer()]);
  const envA = setup({ async: true, ...side(a) });
  const envB = setup({ async: true, ...side(b) });
  return {
    a,
    b,
    envA,
    envB,
    async close() {
      await envA.close();
      await envB.close();
      await Promise.all([a.stop(), b.stop()]);
    },
  };
}

/**
 * Starts a fixture script (no server URL: it starts an embedded one) and resolves with the process,
 * how it exits, and the first line it prints (the server's URL).
 */
export async function fixtureWithServer(script: string, args: string[] = []) {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, POCKETBASE_URL: "" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      if (out.includes("\n")) resolve(out.split("\n")[0]!);
    });
    child.once("exit", () => reject(new Error(`the fixture ended early: ${out}`)));
  });
  return { child, exited, url };
}
