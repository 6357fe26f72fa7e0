// The code blocks of README.md and docs/*.md, and the one program a page's blocks make: every block in
// order, each in a scope of its own, inside one async function. Its imports and type declarations are
// hoisted to the top (a page reads as one story: a later block may use an interface an earlier one
// declared). test/docs-examples.ts runs that program; test/docs-compile.ts compiles it with tsc against
// the packed package. A block that cannot run says why, in an HTML comment just before it:
// `<!-- not run: needs an OAuth2 provider -->`; it is then neither compiled nor run.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

export const root = join(import.meta.dirname, "..");

/** The languages whose blocks are code that must run. */
const LANGUAGES = new Set(["ts", "js", "typescript", "javascript"]);
// A fence may be indented (a block inside a list item); its closing fence has the same indent.
const FENCE = /^( *)```(\S*)[^\n]*\n([\s\S]*?)^\1```\s*$/gm;
const NOT_RUN = /<!--\s*not run:\s*((?:(?!-->)[\s\S])*?)\s*-->\s*$/;

export interface CodeBlock {
  page: string;
  /** The fence's line, 1-based. */
  line: number;
  language: string;
  code: string;
  /** Why the block is not run, when the page says so. */
  notRun?: string;
}

/**
 * README.md, then every docs/*.md (a page added later is picked up with no edit here). Not recursive on
 * purpose: docs/reference/ is generated from the JSDoc, whose examples are compiled from src/.
 */
export function docPages(): string[] {
  const docs = readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`);
  return ["README.md", ...docs];
}

/** The page's path from the repository root: "auth.md" means docs/auth.md, as runExamples has it. */
export function pagePath(page: string): string {
  return page.includes("/") || page === "README.md" ? page : `docs/${page}`;
}

/** Every ```ts / js / typescript / javascript block of a page, with its not-run reason if it has one. */
export function codeBlocks(page: string, markdown = readFileSync(join(root, pagePath(page)), "utf8")) {
  const blocks: CodeBlock[] = [];
  for (const match of markdown.matchAll(FENCE)) {
    const indent = match[1]!;
    const language = match[2]!.toLowerCase();
    if (!LANGUAGES.has(language)) continue;
    const before = markdown.slice(0, match.index).trimEnd();
    const reason = NOT_RUN.exec(before)?.[1];
    const line = markdown.slice(0, match.index).split("\n").length;
    const code = match[3]!.replace(new RegExp(`^${indent}`, "gm"), "");
    blocks.push({ page: pagePath(page), line, language, code, notRun: reason });
  }
  return blocks;
}

interface Split {
  /** Import declarations, by module: the named bindings, and whole other forms (default, namespace). */
  imports: Map<string, { named: Set<string>; whole: Set<string> }>;
  /** Top-level interface and type alias declarations. */
  types: string[];
}

/** Separates a block's imports and type declarations from its statements (TypeScript's own parser). */
function split(code: string, into: Split): string {
  const source = ts.createSourceFile("block.ts", code, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const kept: string[] = [];
  for (const statement of source.statements) {
    const text = code.slice(statement.getFullStart(), statement.end);
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const from = statement.moduleSpecifier.text;
      const entry = into.imports.get(from) ?? { named: new Set(), whole: new Set() };
      into.imports.set(from, entry);
      const bindings = statement.importClause?.namedBindings;
      if (bindings && ts.isNamedImports(bindings) && !statement.importClause?.name) {
        const typeOnly = statement.importClause?.isTypeOnly ? "type " : "";
        for (const element of bindings.elements) entry.named.add(typeOnly + element.getText());
      } else entry.whole.add(text.trim());
    } else if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement)) {
      into.types.push(text.trim());
    } else kept.push(text);
  }
  return `${kept.join("")}\n`;
}

export type ProgramOptions =
  /** For running: names the blocks find in scope, from the function's argument `ctx`. */
  | { names: readonly string[] }
  /**
   * For tsc: pocketmap's value exports, in scope as a consumer's import would bring them, and
   * declarations of every other name the page's blocks use (`declare const env: PM.AsyncEnvironment;`,
   * `PM` being pocketmap's types).
   */
  | { exports: readonly string[]; declarations: string };

/**
 * One module of the page's blocks (pass those not marked not run), in order. For running, `run(ctx)`
 * sets `ctx.block` to the index of the block it is in and gives each block `ctx.console` as `console`;
 * imports of "pocketmap" are dropped (`ctx` brings its exports). For tsc, the same blocks, typed.
 */
export function pageProgram(blocks: readonly CodeBlock[], options: ProgramOptions): string {
  const parts: Split = { imports: new Map(), types: [] };
  const compiling = "declarations" in options;
  const bodies = blocks.map((block, n) => {
    const body = split(block.code, parts);
    const track = compiling ? "" : `  ctx.block = ${n};\n`;
    const log = compiling ? "" : "    const console = ctx.console;\n";
    return `  // ${block.page}:${block.line}\n${track}  {\n${log}${body}  }`;
  });
  const imports = [...parts.imports].flatMap(([from, { named, whole }]) => {
    if (from === "pocketmap" && !compiling) return [];
    const list = named.size > 0 ? [`import { ${[...named].join(", ")} } from ${JSON.stringify(from)};`] : [];
    return [...list, ...whole];
  });
  const head = compiling
    ? [
        'import type * as PM from "pocketmap";',
        'import * as pocketmap from "pocketmap";',
        ...imports,
        ...parts.types,
        options.declarations,
        "export async function run(): Promise<void> {",
        `  const { ${options.exports.join(", ")} } = pocketmap;`,
      ]
    : [
        ...imports,
        ...parts.types,
        "export async function run(ctx) {",
        `  const { ${options.names.join(", ")} } = ctx;`,
      ];
  return [...head, ...bodies, "}", ""].join("\n");
}
