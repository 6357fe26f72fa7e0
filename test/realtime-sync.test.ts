// The sync kind's push channel: listeners run on the main thread while it is free, a sync call works
// inside one, a finished script exits, a waiting one stays alive until Ctrl-C.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { setup } from "../src/index.ts";
import { freshPosts, server, superuserEnv } from "./helpers.ts";

const run = promisify(execFile);
const fixture = join(import.meta.dirname, "fixtures/sync-realtime.ts");

function scriptEnv(): NodeJS.ProcessEnv {
  const { url, email, password } = server();
  return { ...process.env, POCKETBASE_URL: url, POCKETBASE_EMAIL: email, POCKETBASE_PASSWORD: password };
}

describe("the sync kind's push channel", () => {
  const admin = superuserEnv();
  const { url, email, password } = server();
  const env = setup({ url, email, password });
  afterAll(async () => {
    env.close();
    await admin.close();
  });

  it("runs listeners while the thread is free, and after a call that was blocking when they came", async () => {
    const name = await freshPosts(admin, "pushidle");
    const heard: string[] = [];
    const stop = env.collection(name).subscribe("*", ({ record }) => heard.push(String(record.title)));
    // Written by another client while this thread is free: delivered as it happens.
    await admin.collection(name).create({ title: "idle" });
    for (let n = 0; n < 500 && heard.length === 0; n++) await sleep(10);
    expect(heard).toEqual(["idle"]);
    // Heard while this thread blocks in a call (its own batch of writes): buffered, never run inside
    // the call, delivered once the thread is free again, each once.
    env.batch(
      Array.from({ length: 50 }, (_, n) => ({
        method: "POST" as const,
        url: `/api/collections/${name}/records`,
        body: { title: `busy ${n}` },
      })),
    );
    expect(heard).toEqual(["idle"]);
    for (let n = 0; n < 1000 && heard.length < 51; n++) await sleep(10);
    expect(heard.slice(1).sort()).toEqual(Array.from({ length: 50 }, (_, n) => `busy ${n}`).sort());
    stop();
  });

  it("lets a listener make sync calls, including one that unsubscribes", async () => {
    const name = await freshPosts(admin, "pushcall");
    const seen: string[] = [];
    const stop = env.collection(name).subscribe("*", ({ record }) => {
      seen.push(`${env.collection(name).getOne(record.id).title} of ${env.collection(name).count()}`);
      stop();
    });
    await admin.collection(name).create({ title: "first" });
    for (let n = 0; n < 500 && seen.length === 0; n++) await sleep(10);
    await admin.collection(name).create({ title: "second" });
    await admin.collection(name).create({ title: "third" });
    // The unsubscribe ran inside the listener: later writes are not heard (checked after a later write
    // is known to have been delivered to a control subscription).
    const control: string[] = [];
    const off = env.collection(name).subscribe("*", ({ record }) => control.push(String(record.title)));
    await admin.collection(name).create({ title: "fourth" });
    for (let n = 0; n < 500 && control.length === 0; n++) await sleep(10);
    off();
    expect(control).toEqual(["fourth"]);
    expect(seen).toEqual(["first of 1"]);
  });

  it("brings the environment's write events by push, before the call's result is used", async () => {
    const name = await freshPosts(admin, "pushevents");
    const seen: string[] = [];
    const off = env.on("created", ({ data }) => {
      seen.push(String(data.record.title));
    });
    env.collection(name).create({ title: "a" });
    env.collection(name).create({ title: "b" });
    expect(seen).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(["a", "b"]);
    off();
  });

  for (const mode of ["unsubscribe", "close", "listen"]) {
    it(`lets a script that ${mode === "listen" ? "never subscribed" : `${mode}s`} exit on its own`, async () => {
      const name = await freshPosts(admin, "pushexit");
      const { stdout } = await run(process.execPath, [fixture, mode, name], {
        timeout: 30_000, // a hang guard, not a speed check
        env: scriptEnv(),
      });
      expect(stdout.trim()).toBe(mode === "listen" ? "event listened" : `heard create ${mode}`);
    });
  }

  it("keeps a script with a live subscription alive, delivers to it while idle, and Ctrl-C ends it", async () => {
    const name = await freshPosts(admin, "pushwait");
    const child: ChildProcess = spawn(process.execPath, [fixture, "wait", name], {
      env: scriptEnv(),
      stdio: ["ignore", "pipe", "inherit"],
    });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
      child.once("exit", (code, signal) => resolve(signal ?? code)),
    );
    let out = "";
    child.stdout!.on("data", (chunk) => {
      out += chunk;
    });
    try {
      for (let n = 0; n < 3000 && !out.includes("ready"); n++) await sleep(10);
      expect(out).toBe("ready\n");
      // Idle, waiting: a write from elsewhere reaches its listener, which reads back synchronously.
      await admin.collection(name).create({ title: "from afar" });
      for (let n = 0; n < 3000 && !out.includes("heard"); n++) await sleep(10);
      expect(out).toBe("ready\nheard create from afar\n");
      expect(child.exitCode).toBe(null);
      child.kill("SIGINT");
      const status = await Promise.race([exited, sleep(20_000).then(() => "still running")]);
      expect(status).toBe("SIGINT");
    } finally {
      child.kill("SIGKILL");
    }
  });
});
