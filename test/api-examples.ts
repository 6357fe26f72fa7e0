// The JSDoc examples. typedoc has no "@example required" check: methodsWithoutExample walks its JSON
// output (npm run docs writes docs/api/api.json) and names every public method or function of
// pocketmap's own source that has no `@example`; `npm run docs` runs it after typedoc, and
// test/api-reference.test.ts runs both in CI. sourceExamples reads the examples themselves from src/,
// for consumer.test.ts to compile against the packed package (test/docs-compile.ts).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { CodeBlock } from "./docs-blocks.ts";

interface Reflection {
  name: string;
  kind: number;
  flags?: { isPrivate?: boolean; isProtected?: boolean; isExternal?: boolean };
  sources?: { fileName: string }[];
  signatures?: { comment?: { blockTags?: { tag: string }[] } }[];
  children?: Reflection[];
  type?: { declaration?: Reflection };
}

// typedoc's ReflectionKind values (stable across 0.2x): what "a public method" means here.
const FUNCTION = 64;
const METHOD = 2048;

/** The dotted names (`Collection.list`) of public methods and functions declared in src/ with no @example. */
export function methodsWithoutExample(project: Reflection): string[] {
  const missing: string[] = [];
  const walk = (node: Reflection, path: string) => {
    for (const child of node.children ?? []) {
      const name = path ? `${path}.${child.name}` : child.name;
      const own = child.sources?.some((source) => source.fileName.startsWith("src/"));
      const hidden = child.flags?.isPrivate || child.flags?.isProtected || child.flags?.isExternal;
      if ((child.kind === METHOD || child.kind === FUNCTION) && own && !hidden) {
        const example = child.signatures?.some((signature) =>
          signature.comment?.blockTags?.some((tag) => tag.tag === "@example"),
        );
        if (!example) missing.push(name);
      }
      walk(child, name);
      if (child.type?.declaration) walk(child.type.declaration, name);
    }
  };
  walk(project, "");
  return missing;
}

const EXAMPLE = /\* @example\n\s*\* ```ts\n((?:[ \t]*\*.*\n)*?)[ \t]*\* ```/g;
const DECLARATION = /^export (?:interface|class|type|function|abstract class) (\w+)/gm;

/**
 * Every ```ts example of a JSDoc comment in src/, with the kind it is written for: the sync kind's
 * when it is in src/sync or documents a `Sync…` declaration, else the async kind's.
 */
export function sourceExamples(
  src = join(import.meta.dirname, "../src"),
): (CodeBlock & { kind: "sync" | "async" })[] {
  const examples: (CodeBlock & { kind: "sync" | "async" })[] = [];
  for (const file of readdirSync(src, { recursive: true, encoding: "utf8" }).sort()) {
    if (!file.endsWith(".ts")) continue;
    const text = readFileSync(join(src, file), "utf8");
    for (const match of text.matchAll(EXAMPLE)) {
      const code = match[1]!
        .split("\n")
        .map((line) => line.replace(/^\s*\* ?/, ""))
        .join("\n");
      // What the comment documents: the top-level declaration right after it, else (a member's
      // comment) the declaration it is inside.
      const after = text.slice(text.indexOf("*/", match.index) + 2).trimStart();
      const owner =
        /^export (?:interface|class|type|function|abstract class) (\w+)/.exec(after)?.[1] ??
        [...text.slice(0, match.index).matchAll(DECLARATION)].at(-1)?.[1] ??
        "";
      const sync = file.startsWith("sync/") || owner.startsWith("Sync");
      const line = text.slice(0, match.index).split("\n").length;
      examples.push({ page: `src/${file}`, line, language: "ts", code, kind: sync ? "sync" : "async" });
    }
  }
  return examples;
}

if (import.meta.main) {
  const file = process.argv[2] ?? "docs/api/api.json";
  const missing = methodsWithoutExample(JSON.parse(readFileSync(file, "utf8")) as Reflection);
  if (missing.length > 0) {
    console.error(
      `pocketmap: public methods without an @example (add one to their JSDoc):\n  ${missing.join("\n  ")}`,
    );
    process.exit(1);
  }
  console.log(`every public method in ${file} has an @example`);
}
