// Progress on stderr: a bar in a real terminal (under `script`), nothing when piped, JSON lines on request.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, cli, serverVariables } from "./cli-run.ts";
import { freshPosts, range, superuserEnv } from "./helpers.ts";

/** Where a frame starts: a carriage return or a move to the line's start (CSI n G). */
const FRAME = new RegExp(`\\r|${"\u001b"}\\[\\d*G`);
const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;

/** Runs the command in a pseudo-terminal (util-linux `script`); resolves with what the terminal showed. */
function inTerminal(args: string[]): Promise<string> {
  const command = [process.execPath, CLI, ...args].map(quote).join(" ");
  return new Promise((resolve, reject) => {
    const child = execFile(
      "script",
      ["-qec", command, "/dev/null"],
      { env: { ...process.env, ...serverVariables(), COLUMNS: "120" }, timeout: 60_000 },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
    child.stdin!.end();
  });
}

describe("pocketmap progress", () => {
  const admin = superuserEnv();
  let name: string;
  const dir = mkdtempSync(join(tmpdir(), "pocketmap-progress-"));
  afterAll(() => admin.close());
  beforeAll(async () => {
    name = await freshPosts(admin, "cliprog");
    await admin.collection(name).createMany(range(0, 3000).map((n) => ({ n })));
  });

  it("draws a bar on a terminal: rows of the total, rate and ETA, in several frames", async () => {
    const shown = await inTerminal(["export", name, "-o", join(dir, "out.ndjson")]);
    expect(shown).toContain("\u001b[");
    const frames = new Set(shown.split(FRAME).filter((frame) => frame.includes("rows/s")));
    expect(frames.size).toBeGreaterThanOrEqual(2);
    expect(shown).toMatch(/0\/3000 rows/);
    expect(shown).toMatch(/3000\/3000 rows \| \d+ rows\/s \| ETA/);
  });

  it("an import of a file shows the share of its bytes read, rows, rate and ETA on a terminal", async () => {
    const file = join(dir, "in-terminal.ndjson");
    await cli(["export", name, "-o", file]);
    const shown = await inTerminal(["import", name, file, "--mode", "upsert"]);
    expect(shown).toMatch(new RegExp(`import ${name} \\[.*\\] 100% \\| 3000 rows \\| \\d+ rows/s \\| ETA`));
  });

  it("shows nothing when piped, JSON lines with --progress json, nothing with --quiet", async () => {
    const piped = await cli(["export", name]);
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe("");
    expect(piped.stdout).not.toContain("\u001b");

    const json = await cli(["export", name, "--progress", "json", "-o", join(dir, "a.ndjson")]);
    const lines = json.stderr
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines.at(-1)).toMatchObject({ label: `export ${name}`, done: 3000, total: 3000 });

    const imported = await cli([
      "import",
      name,
      join(dir, "a.ndjson"),
      "--mode",
      "upsert",
      "--progress",
      "json",
    ]);
    expect(imported.code).toBe(0);
    // The JSON lines, then the summary ("imported 3000 rows…").
    const jsonLines = (stderr: string) =>
      stderr
        .split("\n")
        .filter((line) => line.startsWith("{"))
        .map((line) => JSON.parse(line));
    const importLines = jsonLines(imported.stderr);
    // A file's size is the total the ETA comes from; stdin has none.
    const size = statSync(join(dir, "a.ndjson")).size;
    expect(importLines.at(-1)).toMatchObject({ done: 3000, bytes: size, totalBytes: size });
    const fromStdin = await cli(["import", name, "-", "--mode", "upsert", "--progress", "json"], {
      input: readFileSync(join(dir, "a.ndjson"), "utf8"),
    });
    expect(jsonLines(fromStdin.stderr).at(-1)).toEqual({
      label: `import ${name}`,
      done: 3000,
      total: null,
      rate: expect.any(Number),
    });

    const quiet = await cli(["export", name, "--progress", "json", "--quiet", "-o", join(dir, "b.ndjson")]);
    expect(quiet.stderr).toBe("");
  });

  it("a reader that goes away early (| head -1) is no failure", async () => {
    const command = `${[process.execPath, CLI, "export", name].map(quote).join(" ")} | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`;
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(
        "bash",
        ["-c", command],
        { env: { ...process.env, ...serverVariables() } },
        (error, out, err) => (error ? reject(error) : resolve({ stdout: out, stderr: err })),
      ),
    );
    expect(stdout.trimEnd().split("\n")).toHaveLength(1);
    expect(stderr).toBe("exit=0\n");
  });
});
