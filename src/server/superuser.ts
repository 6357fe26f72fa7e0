// Writes embedded mode's generated superuser into a data dir without the password ever being a process
// argument: arguments are readable by every local user (ps, /proc/PID/cmdline), a process's environment
// only by its own user.
import { PocketmapError } from "../abstract/errors/index.ts";
import { nodeModules } from "./node-modules.ts";
import type { Watchdog } from "./watchdog.ts";

const EMAIL_VARIABLE = "POCKETMAP_SUPERUSER_EMAIL";
const PASSWORD_VARIABLE = "POCKETMAP_SUPERUSER_PASSWORD";
const SAVED = "pocketmap: generated superuser saved";

/**
 * A PocketBase JS hook (0.23 and later: onBootstrap, $os.getenv, findAuthRecordByEmail) doing what
 * `superuser upsert` does, with the credentials taken from the environment.
 */
const UPSERT_HOOK = `// pocketmap: writes the generated superuser of an embedded server (docs/embedded.md).
onBootstrap((e) => {
  e.next();
  const email = $os.getenv("${EMAIL_VARIABLE}");
  const password = $os.getenv("${PASSWORD_VARIABLE}");
  if (!email || !password) throw new Error("${EMAIL_VARIABLE} or ${PASSWORD_VARIABLE} is not set");
  const superusers = $app.findCollectionByNameOrId("_superusers");
  let superuser;
  try {
    superuser = $app.findAuthRecordByEmail(superusers, email);
  } catch {
    superuser = new Record(superusers);
  }
  superuser.setEmail(email);
  superuser.setPassword(password);
  $app.save(superuser);
  console.log("${SAVED}");
});
`;

interface Outcome {
  error: Error | null;
  output: string;
}

function runPocketBase(
  bin: string,
  args: string[],
  env: NodeJS.ProcessEnv | undefined,
  timeout: number,
  watchdog: Watchdog,
): Promise<Outcome> {
  return new Promise((done) => {
    const child = nodeModules.childProcess.execFile(
      bin,
      args,
      { env, timeout, windowsHide: true },
      (error, stdout, stderr) => {
        if (child.pid) watchdog.forget(child.pid);
        done({ error, output: `${stderr}\n${stdout}`.trim() });
      },
    );
    if (child.pid) watchdog.watch(child.pid, "KILL");
  });
}

function failure(bin: string, what: string, outcome: Outcome, password: string): PocketmapError {
  const output = (outcome.output || outcome.error?.message || "").replaceAll(password, "[redacted]");
  return new PocketmapError(`pocketmap: "${bin} ${what}" failed: ${output.split(/\r?\n/).join(" | ")}`);
}

/**
 * Creates the superuser, or sets its password if the email exists. A one-shot `pocketbase superuser`
 * (a command that only bootstraps and prints its help) runs the hook above from a directory of its
 * own, with the credentials in its environment; the user's own pb_hooks and pb_migrations are not
 * loaded by it, so no other JS sees them. A build without PocketBase's JS VM (a custom Go build in
 * POCKETBASE_BIN) never runs the hook: then, and only then, `superuser upsert` with arguments.
 */
export async function upsertSuperuser(
  bin: string,
  dir: string,
  email: string,
  password: string,
  timeout: number,
  watchdog: Watchdog,
): Promise<void> {
  const { mkdir, mkdtemp, rm, writeFile } = nodeModules.fsPromises;
  const { join } = nodeModules.path;
  const scratch = await mkdtemp(join(nodeModules.os.tmpdir(), "pocketmap-superuser-"));
  let outcome: Outcome;
  try {
    const hooks = join(scratch, "hooks");
    await mkdir(hooks);
    await writeFile(join(hooks, "pocketmap_superuser.pb.js"), UPSERT_HOOK);
    const args = [
      "superuser",
      `--dir=${dir}`,
      `--hooksDir=${hooks}`,
      "--hooksPool=1",
      // Missing, so empty: JS migrations run their top-level code when loaded.
      `--migrationsDir=${join(scratch, "migrations")}`,
    ];
    // This process's environment and the credentials, which only this user can read.
    const env = { ...process.env, [EMAIL_VARIABLE]: email, [PASSWORD_VARIABLE]: password };
    outcome = await runPocketBase(bin, args, env, timeout, watchdog);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  if (outcome.output.includes(SAVED)) return;
  const noJsVm = !outcome.error || /unknown flag/i.test(outcome.output);
  if (!noJsVm) throw failure(bin, "superuser", outcome, password);

  // `--` ends flags: a generated password may start with "-".
  const legacy = ["superuser", "upsert", `--dir=${dir}`, "--", email, password];
  const fallback = await runPocketBase(bin, legacy, undefined, timeout, watchdog);
  if (fallback.error) throw failure(bin, "superuser upsert", fallback, password);
}
