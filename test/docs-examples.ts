// What the tests that run a doc page's examples share (docs-auth, docs-files, docs-admin…): the
// server's variables for the examples' own setup() calls, and the runner that turns the code blocks of
// a page into one function (test/docs-blocks.ts), each block in a scope of its own, and collects what
// each printed.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { codeBlocks, pageProgram } from "./docs-blocks.ts";

const VARIABLES = ["POCKETBASE_URL", "POCKETBASE_EMAIL", "POCKETBASE_PASSWORD", "POCKETBASE_TOKEN"];

/** Points the POCKETBASE_* variables at a server as its superuser; returns what puts them back. */
export function useServerVariables(server: { url: string; email: string; password: string }): () => void {
  const saved = Object.fromEntries(VARIABLES.map((key) => [key, process.env[key]]));
  Object.assign(process.env, {
    POCKETBASE_URL: server.url,
    POCKETBASE_EMAIL: server.email,
    POCKETBASE_PASSWORD: server.password,
  });
  delete process.env.POCKETBASE_TOKEN;
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/**
 * Runs every code block of `page` ("auth.md" is docs/auth.md; "README.md" the README) that is not
 * marked not run, in order, with the members of `context` named in `names` in scope; returns what each
 * block printed with console.log. `dir` holds the generated module.
 */
export async function runExamples(
  page: string,
  names: readonly string[],
  context: Record<string, unknown>,
  dir: string,
): Promise<unknown[][]> {
  const blocks = codeBlocks(page).filter((block) => block.notRun === undefined);
  const file = join(dir, `examples-${page.replace(/\W/g, "-")}.ts`);
  await writeFile(file, pageProgram(blocks, { names }));
  const logs: unknown[][] = blocks.map(() => []);
  const ctx = {
    ...context,
    block: 0,
    console: { log: (...values: unknown[]) => logs[ctx.block]!.push(...values) },
  };
  const { run } = (await import(file)) as { run: (context: typeof ctx) => Promise<void> };
  try {
    await run(ctx);
  } catch (error) {
    const where = blocks[ctx.block];
    throw new Error(
      `${where?.page}:${where?.line} (example ${ctx.block + 1}) failed: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return logs;
}
