// Embedded mode: a local PocketBase on a free loopback port, with generated superuser credentials.
import type { ChildProcess } from "node:child_process";
import type { Socket } from "node:net";
import { EMBEDDED_STARTUP_TIMEOUT, TEMPORARY_SERVER_BATCH } from "../abstract/constants.ts";
import { PocketmapError } from "../abstract/errors/index.ts";
import { findPocketBase, pocketBaseVersion } from "./binary.ts";
import { nodeModules } from "./node-modules.ts";
import { onProcessExit, stopNow } from "./process-cleanup.ts";
import { upsertSuperuser } from "./superuser.ts";
import { startWatchdog } from "./watchdog.ts";

export interface EmbeddedServer {
  readonly url: string;
  readonly email: string;
  readonly password: string;
  readonly dir: string;
  readonly version: string;
  readonly pid: number;
  /** The temporary directory removed when the server stops; undefined when `dir` was given. */
  readonly tempDir: string | undefined;
  stop(): Promise<void>;
  /** Writes the generated superuser into the data again (after a backup restore replaced it). */
  restored(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Data directory, created if missing and kept. Default: a temporary directory removed on stop/exit. */
  dir?: string;
  /** PocketBase executable. Default: findPocketBase(). */
  bin?: string;
  /** Default true. false copies PocketBase's output to this process's stderr. */
  quiet?: boolean;
  /** How long to wait for /api/health, in milliseconds (default: POCKETMAP_STARTUP_TIMEOUT's default). */
  startupTimeout?: number;
}

const KILL_AFTER = 3_000;
const POLL_INTERVAL = 50;
const OUTPUT_LINES = 20;

/** A free TCP port on 127.0.0.1 (the OS picks; it can be taken again before use, hence the retry). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = nodeModules.net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolvePort(port) : reject(new PocketmapError("pocketmap: no free port"))));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/**
 * A PocketBase JS migration (run by `serve` before it listens; 0.23 and later) that turns the batch
 * API on in a temporary server: PocketBase ships with it off, which would send createMany and friends
 * one request per record. Measured cost: a few milliseconds of startup.
 */
const BATCH_ON_MIGRATION = `// pocketmap: this temporary server's batch API is on (docs/embedded.md).
migrate((app) => {
  const settings = app.settings();
  settings.batch.enabled = true;
  settings.batch.maxRequests = ${TEMPORARY_SERVER_BATCH.maxRequests};
  settings.batch.timeout = ${TEMPORARY_SERVER_BATCH.timeout};
  app.save(settings);
});
`;

function redact(text: string, secret: string): string {
  return text.replaceAll(secret, "[redacted]");
}

interface Running {
  child: ChildProcess;
  /** Resolves when the child has exited or failed to spawn. */
  exited: Promise<void>;
  /** Resolves when its output pipes have closed too, i.e. every line has been read. */
  closed: Promise<void>;
  gone: boolean;
  output: string[];
}

function serve(bin: string, dir: string, port: number, quiet: boolean, password: string): Running {
  const child = nodeModules.childProcess.spawn(bin, ["serve", `--http=127.0.0.1:${port}`, `--dir=${dir}`], {
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: a Ctrl-C in the terminal goes to this process, whose exit (or watchdog)
    // stops the server, never straight to PocketBase while a program that handles SIGINT still uses it.
    detached: true,
    windowsHide: true,
  });
  const output: string[] = [];
  // Always drain both pipes so a chatty PocketBase never blocks on a full pipe.
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      for (const line of redact(chunk, password).split(/\r?\n/)) {
        if (!line) continue;
        output.push(line);
        if (output.length > OUTPUT_LINES) output.shift();
        if (!quiet) process.stderr.write(`[pocketbase] ${line}\n`);
      }
    });
    (stream as Socket | null)?.unref();
  }
  child.unref();
  const closed = new Promise<void>((done) => child.once("close", () => done()));
  const running: Running = { child, exited: Promise.resolve(), closed, gone: false, output };
  running.exited = new Promise<void>((done) => {
    const finish = () => {
      running.gone = true;
      done();
    };
    child.once("exit", finish);
    child.once("error", (error) => {
      output.push(String(error.message));
      finish();
    });
  });
  return running;
}

async function waitHealthy(url: string, running: Running, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    if (running.gone) return false;
    try {
      const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      if (response.status === 200) return true;
    } catch {
      // Not listening yet.
    }
    await Promise.race([sleep(POLL_INTERVAL), running.exited]);
  }
  return false;
}

/** Starts PocketBase on a free loopback port, creating a superuser with generated credentials. */
export async function startEmbedded(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const quiet = options.quiet ?? true;
  const startupTimeout = options.startupTimeout ?? EMBEDDED_STARTUP_TIMEOUT;
  const { mkdir, mkdtemp, rm } = nodeModules.fsPromises;
  const { join, resolve } = nodeModules.path;
  const { randomBytes } = nodeModules.crypto;
  let root: string | undefined; // a temporary directory this server owns and removes
  let dir: string;
  if (options.dir) {
    dir = resolve(options.dir);
    await mkdir(dir, { recursive: true });
  } else {
    root = await mkdtemp(join(nodeModules.os.tmpdir(), "pocketmap-"));
    // PocketBase reads and writes pb_hooks/pb_migrations beside the data dir: keep them inside root.
    dir = join(root, "pb_data");
    await mkdir(dir);
    await mkdir(join(root, "pb_migrations"));
    await nodeModules.fsPromises.writeFile(
      join(root, "pb_migrations", "1_pocketmap_batch.js"),
      BATCH_ON_MIGRATION,
    );
  }

  // Started first, so that it comes up while the binary is found and the superuser created. It
  // cleans up if this process ends without running its exit handlers (a signal, SIGKILL, a crash).
  const watchdog = startWatchdog();
  if (root) watchdog.removeDir(root);
  let running: Running | undefined;
  // At a normal exit only; signals keep Node's default action and the watchdog does the rest.
  const release = onProcessExit(() => {
    // Synchronous: SIGKILL when the directory is removed right after, so nothing is written into it.
    stopNow(running && !running.gone ? running.child.pid : undefined, root, root ? "SIGKILL" : "SIGTERM");
    watchdog.dismiss();
  });
  const cleanup = async () => {
    if (running && !running.gone) await terminate(running);
    if (root) await rm(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
    watchdog.dismiss();
    release();
  };

  try {
    let bin = options.bin;
    let version: string;
    if (bin) version = await pocketBaseVersion(bin);
    else ({ bin, version } = await findPocketBase());

    const email = `pocketmap-${randomBytes(6).toString("hex")}@localhost.test`;
    const password = randomBytes(24).toString("base64url"); // 32 url-safe characters
    await upsertSuperuser(bin, dir, email, password, startupTimeout, watchdog);

    const deadline = Date.now() + startupTimeout;
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      running = serve(bin, dir, port, quiet, password);
      const childPid = running.child.pid;
      if (childPid) {
        watchdog.watch(childPid, root ? "KILL" : "TERM");
        void running.exited.then(() => watchdog.forget(childPid));
      }
      if (await waitHealthy(url, running, deadline)) {
        const pid = running.child.pid ?? 0;
        let stopping: Promise<void> | undefined;
        return {
          url,
          email,
          password,
          dir,
          version,
          pid,
          tempDir: root,
          restored: async () => {
            // PocketBase restarts in place (execve: same process); a process that exited instead
            // would have left a successor nothing supervises.
            if (running?.gone) {
              throw new PocketmapError(
                "pocketmap: the embedded PocketBase exited while restoring a backup instead of restarting in place",
              );
            }
            await upsertSuperuser(bin, dir, email, password, startupTimeout, watchdog);
          },
          stop: () => {
            stopping ??= cleanup();
            return stopping;
          },
        };
      }
      // 'exit' can come before the last output is read; the reason is usually in it.
      if (running.gone) await Promise.race([running.closed, sleep(500)]);
      const lines = running.output.join(" | ");
      if (!running.gone) {
        throw new PocketmapError(
          `pocketmap: PocketBase did not answer ${url}/api/health within ${startupTimeout} ms (set POCKETMAP_STARTUP_TIMEOUT to wait longer)${lines ? `: ${lines}` : ""}`,
        );
      }
      // The port was free when picked but taken before PocketBase bound it: try another one once.
      if (attempt === 1 && /address already in use/i.test(lines)) continue;
      const { exitCode, signalCode } = running.child;
      const status = signalCode ? `signal ${signalCode}` : `code ${exitCode}`;
      throw new PocketmapError(
        `pocketmap: PocketBase exited during startup (${status})${lines ? `: ${lines}` : ""}`,
      );
    }
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** SIGTERM, then SIGKILL after KILL_AFTER ms; resolves once the child has exited. */
async function terminate({ child, exited }: Running): Promise<void> {
  child.ref(); // keep this process alive until the child is really gone
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), KILL_AFTER);
  await exited;
  clearTimeout(timer);
}
