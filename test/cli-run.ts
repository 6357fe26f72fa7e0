// Runs the `pocketmap` command from the sources as a child process, as a user runs it.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { server } from "./helpers.ts";

export const CLI = join(import.meta.dirname, "../src/cli/pocketmap.ts");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The suite server's URL and superuser, as the variables setup() reads. */
export function serverVariables(): Record<string, string> {
  const { url, email, password } = server();
  return { POCKETBASE_URL: url, POCKETBASE_EMAIL: email, POCKETBASE_PASSWORD: password };
}

/** Runs `pocketmap ...args` (configured by `variables`, default the suite's server); never rejects. */
export function cli(
  args: string[],
  options: { variables?: Record<string, string>; cwd?: string; input?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: options.cwd,
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, ...(options.variables ?? serverVariables()) },
      },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: unknown }).code ?? 1) : 0;
        resolve({ code: Number.isInteger(code) ? code : 1, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin!.end(options.input);
    else child.stdin!.end();
  });
}
