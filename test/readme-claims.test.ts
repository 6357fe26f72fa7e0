// What README.md promises, held to the code. Each promise cites the test that keeps it, as a Markdown
// link to the test file whose title is the test's name: [retries](test/transport.test.ts "never
// retries a write…"). This file checks that every cited file and name exists and that every bullet of
// "What it promises" cites one (or says "No test:"), so a promise without a test shows. It also checks
// three claims against the code itself: the reserved names, the sync kind's realtime wording, and the
// configuration table; and two of docs/architecture.md's: the options interfaces it lists, and the
// number of files its "adding a method" and "adding a service" examples touch.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_CONNECTIONS, DEFAULT_RETRIES, DEFAULT_TIMEOUT } from "../src/abstract/constants.ts";
import { type AsyncCollection, InvalidInputError, type SyncCollection, setup } from "../src/index.ts";
import { root } from "./docs-blocks.ts";

const README = readFileSync(join(root, "README.md"), "utf8");

interface Citation {
  file: string;
  name: string | undefined;
}

/** Every link to a test file, with the test name in its title. */
function citations(markdown: string): Citation[] {
  return [...markdown.matchAll(/\]\((test\/[\w./-]+\.test\.ts)(?:\s+"([^"]+)")?\)/g)].map((match) => ({
    file: match[1]!,
    name: match[2],
  }));
}

/** The citations whose file is missing, or whose file has no test or describe of that name. */
function broken(markdown: string): Citation[] {
  return citations(markdown).filter(({ file, name }) => {
    const path = join(root, file);
    if (!existsSync(path)) return true;
    if (name === undefined) return false;
    const source = readFileSync(path, "utf8");
    // The name as a test's or describe's title, in any quote.
    return !['"', "`", "'"].some((quote) => source.includes(`(${quote}${name}${quote}`));
  });
}

/** The text of a README section, from its heading to the next one of the same level. */
function section(heading: string): string {
  const start = README.indexOf(`\n${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const next = README.indexOf("\n## ", start + heading.length + 2);
  return README.slice(start, next === -1 ? undefined : next);
}

describe("README's claims", () => {
  it("every test it cites exists, by file and by name", () => {
    expect(citations(README).length).toBeGreaterThan(10);
    expect(broken(README)).toEqual([]);
  });

  it("the citation check fails for a file or a name that is not there", () => {
    const fake = [
      '[a](test/map.test.ts "has answers true and false")',
      '[b](test/map.test.ts "has answers maybe")',
      "[c](test/no-such.test.ts)",
    ].join("\n");
    expect(broken(fake).map(({ file, name }) => `${file} ${name ?? ""}`.trim())).toEqual([
      "test/map.test.ts has answers maybe",
      "test/no-such.test.ts",
    ]);
  });

  it("every bullet of What it promises cites a test", () => {
    const bullets = section("## What it promises")
      .split(/\n(?=- \*\*)/)
      .filter((text) => text.startsWith("- **"));
    expect(bullets.length).toBeGreaterThanOrEqual(6);
    for (const bullet of bullets) {
      const title = /\*\*(.+?)\*\*/.exec(bullet)![1];
      if (!bullet.includes("No test:"))
        expect(citations(bullet).length, `${title} cites a test`).toBeGreaterThan(0);
    }
  });

  it("says the sync kind's realtime callbacks run afterwards, when the thread is free, not as changes arrive", () => {
    const realtime = section("## What it promises").split("- **Realtime")[1]!.split("\n- **")[0]!;
    const text = realtime.replace(/\s+/g, " ");
    expect(text).toContain("In the sync kind, callbacks do not run as changes arrive");
    expect(text).toContain("once it is free");
  });
});

describe("the reserved names", () => {
  const reservedText = () => {
    const start = README.indexOf("`collection`, `createCollection`");
    return README.slice(start, README.indexOf("`Object.keys(env)` is empty", start));
  };
  const listed = () => new Set([...reservedText().matchAll(/`([\w$]+)`/g)].map((match) => match[1]!));
  const kinds = [setup({ async: true, url: "http://127.0.0.1:9" }), setup({ url: "http://127.0.0.1:9" })];
  afterAll(async () => {
    for (const env of kinds) await env.close();
  });

  /** The property names of an environment (its prototype chain) that do not give a collection. */
  function notCollections(env: object): string[] {
    const names = new Set<string>(["then", "catch", "finally", "toJSON", "inspect", "asymmetricMatch"]);
    for (let object = Object.getPrototypeOf(env); object; object = Object.getPrototypeOf(object)) {
      for (const name of Object.getOwnPropertyNames(object)) names.add(name);
    }
    return [...names].filter((name) => {
      const value = (env as Record<string, unknown>)[name] as SyncCollection | AsyncCollection | undefined;
      return !(value && typeof value === "object" && value.name === name && "getOne" in value);
    });
  }

  it("lists exactly the names that are not collections, in both kinds", () => {
    for (const env of kinds) {
      expect([...listed()].sort()).toEqual(
        notCollections(env)
          .filter((name, n, all) => all.indexOf(name) === n)
          .sort(),
      );
    }
  });

  it("and any other name is a collection", () => {
    const names = listed();
    for (const env of kinds) {
      for (const name of ["posts", "logs", "emit", "clearListeners", "files", "emitter", "sink"]) {
        expect(names.has(name)).toBe(false);
        expect((env as unknown as Record<string, { name: string }>)[name]!.name).toBe(name);
      }
    }
  });
});

describe("the configuration table", () => {
  const rows = section("## Configuration")
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => line.split("|").map((cell) => cell.trim()));
  const names = (cell: string) => [...cell.matchAll(/`([\w-]+)`/g)].map((match) => match[1]!);

  it("lists every option setup() takes, with the defaults in src", () => {
    let accepted: string[] = [];
    try {
      setup({ notAnOption: 1 } as never);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      accepted = (error as Error).message.split("expected one of: ")[1]!.split(", ");
    }
    expect(rows.flatMap((row) => names(row[1]!)).sort()).toEqual(accepted.sort());
    const row = (option: string) => rows.find((cells) => names(cells[1]!).includes(option))!;
    expect(row("timeout")[3]).toBe(`\`${DEFAULT_TIMEOUT}\``);
    expect(row("retries")[3]).toBe(`\`${DEFAULT_RETRIES}\``);
    expect(row("connections")[3]).toBe(`\`${DEFAULT_CONNECTIONS}\``);
  });

  it("names the variable setup() reads for each tunable", () => {
    for (const cells of rows) {
      for (const variable of names(cells[2]!).filter((name) => name.startsWith("POCKETMAP_"))) {
        const saved = process.env[variable];
        process.env[variable] = "not-a-value";
        try {
          expect(() => setup({ url: "http://127.0.0.1:9" }), variable).toThrow(variable);
        } finally {
          if (saved === undefined) delete process.env[variable];
          else process.env[variable] = saved;
        }
      }
    }
  });
});

describe("docs/architecture.md's counts", () => {
  const architecture = readFileSync(join(root, "docs/architecture.md"), "utf8");

  it("lists every options interface of the registry", () => {
    const source = readFileSync(join(root, "src/abstract/option-checks.ts"), "utf8");
    const registry = source.slice(source.indexOf("export interface OptionTypes {"));
    const interfaces = [...registry.slice(0, registry.indexOf("\n}")).matchAll(/^\s+\w+: (\w+);$/gm)].map(
      (match) => match[1]!,
    );
    expect(interfaces.length).toBeGreaterThan(10);
    const options = architecture.slice(
      architecture.indexOf("### Options"),
      architecture.indexOf("### The callback"),
    );
    for (const name of interfaces) expect(options, name).toContain(`\`${name}\``);
  });

  it("says as many files as its worked examples number", () => {
    const headings = [...architecture.matchAll(/^### Adding .*: (\d+) files/gm)];
    expect(headings).toHaveLength(2);
    for (const heading of headings) {
      const rest = architecture.slice(heading.index);
      const block = rest.slice(rest.indexOf("```ts"), rest.indexOf("```\n", rest.indexOf("```ts") + 5));
      expect(block.match(/^\/\/ \d+\. /gm), heading[0]).toHaveLength(Number(heading[1]));
    }
  });
});
