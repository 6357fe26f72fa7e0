// typedoc has no "@example required" check: this walks its JSON output (npm run docs writes
// docs/api/api.json) and names every public method or function of pocketmap's own source that has no
// `@example`. `npm run docs` runs it after typedoc; test/api-reference.test.ts runs both in CI.
import { readFileSync } from "node:fs";

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
