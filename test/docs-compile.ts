// Compiles the code blocks of every page (test/docs-blocks.ts) as a consumer would: against the packed
// package installed in `project`, with `tsc --strict`, one module per page and kind. So a member renamed
// in src/ breaks the build until the docs follow. The JSDoc examples of src/ are compiled the same way.
// consumer.test.ts calls it on its packed project.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import * as pocketmap from "../src/index.ts";
import { sourceExamples } from "./api-examples.ts";
import { codeBlocks, docPages, pageProgram } from "./docs-blocks.ts";
import { apiExampleDeclarations, CONTEXTS, DEFAULT, declarationsFor } from "./docs-context.ts";

const TSCONFIG = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2023"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    types: ["node"],
    skipLibCheck: true,
    noEmit: true,
  },
  include: ["docs-blocks/*.mts"],
};

/** Writes one module per page and kind under `project`/docs-blocks and its tsconfig; returns its name. */
export async function writeDocPrograms(project: string): Promise<string> {
  await mkdir(join(project, "docs-blocks"), { recursive: true });
  const exports = Object.keys(pocketmap);
  for (const page of docPages()) {
    const blocks = codeBlocks(page).filter((block) => block.notRun === undefined);
    if (blocks.length === 0) continue;
    for (const kind of (CONTEXTS[page] ?? DEFAULT).kinds) {
      const program = pageProgram(blocks, { exports, declarations: declarationsFor(page, kind) });
      await writeFile(join(project, "docs-blocks", `${page.replace(/\W/g, "-")}-${kind}.mts`), program);
    }
  }
  // The JSDoc examples of src/ (the API reference's), one module per kind they are written for.
  const examples = sourceExamples();
  for (const kind of ["sync", "async"] as const) {
    const blocks = examples.filter((example) => example.kind === kind);
    const program = pageProgram(blocks, { exports, declarations: apiExampleDeclarations(kind) });
    await writeFile(join(project, "docs-blocks", `api-examples-${kind}.mts`), program);
  }
  await writeFile(join(project, "tsconfig.docs.json"), JSON.stringify(TSCONFIG, null, 2));
  return "tsconfig.docs.json";
}
