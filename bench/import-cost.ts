// The cost of importing pocketmap against the official SDK's, each sample a fresh Node process.
// bench/run.ts calls measureImportCost(); on its own:
//
//   node bench/import-cost.ts [runs]     (imports dist/: `npm run build` first)
//
// A child runs one of these as its whole program, and the parent times it from spawn to exit:
//
//   baseline   the same script importing nothing: Node's own start and exit
//   sdk        import "pocketbase" (ESM) / require("pocketbase/cjs")
//   pocketmap  import of dist/index.js / require of dist/index.cjs
//
// Import cost = median process time − median baseline time (ESM and CommonJS each against their own
// baseline). The child also times the import from the inside (performance.now() around it, after a
// first import of node:path has set up the module loader, which baseline and both packages would pay
// alike), which is less noisy on a busy machine. The kinds take turns, in a rotating order.
import { spawnSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

export type ImportFormat = "esm" | "cjs";
export type ImportTarget = "baseline" | "sdk" | "pocketmap";

export interface ImportCostRow {
  format: ImportFormat;
  target: ImportTarget;
  /** What the child imports (nothing for the baseline). */
  specifier: string | null;
  runs: number;
  /** Whole process, spawn to exit, median and min. */
  processMedianMs: number;
  processMinMs: number;
  /** processMedianMs − the baseline's (0 for the baseline itself). */
  importMs: number;
  /** The import alone, timed inside the child, median and min (0 for the baseline). */
  insideMedianMs: number;
  insideMinMs: number;
}

export interface ImportCost {
  runs: number;
  rows: ImportCostRow[];
  /** pocketmap's import cost ÷ the SDK's, per format: from process times, and from the inside. */
  ratios: Record<ImportFormat, { process: number; inside: number }>;
}

const root = fileURLToPath(new URL("..", import.meta.url));

const SPECIFIERS: Record<ImportFormat, Record<Exclude<ImportTarget, "baseline">, string>> = {
  esm: { sdk: "pocketbase", pocketmap: fileURLToPath(new URL("../dist/index.js", import.meta.url)) },
  cjs: { sdk: "pocketbase/cjs", pocketmap: fileURLToPath(new URL("../dist/index.cjs", import.meta.url)) },
};

/** The child's program: import (or require) `specifier`, print how long it took from the inside. */
function program(format: ImportFormat, specifier: string | null): string[] {
  const load = specifier === null ? "" : JSON.stringify(specifier);
  if (format === "esm") {
    const body = load ? `await import(${load});` : "";
    return [
      "--input-type=module",
      "-e",
      `await import("node:path"); const t = performance.now(); ${body} process.stdout.write(String(performance.now() - t));`,
    ];
  }
  const body = load ? `require(${load});` : "";
  return [
    "-e",
    `require("node:path"); const t = performance.now(); ${body} process.stdout.write(String(performance.now() - t));`,
  ];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

/** `runs` fresh processes per (format, target); every child runs from the repository root. */
export function measureImportCost(runs: number): ImportCost {
  const kinds = (["esm", "cjs"] as const).flatMap((format) =>
    (["baseline", "sdk", "pocketmap"] as const).map((target) => ({
      format,
      target,
      specifier: target === "baseline" ? null : SPECIFIERS[format][target],
    })),
  );
  const wall = kinds.map(() => [] as number[]);
  const inside = kinds.map(() => [] as number[]);
  // The compile cache would make pocketmap's children faster than a user's first run.
  const env = { ...process.env, NODE_COMPILE_CACHE: undefined, NODE_OPTIONS: undefined };
  for (let run = 0; run < runs; run++) {
    for (let k = 0; k < kinds.length; k++) {
      const index = (run + k) % kinds.length;
      const { format, specifier } = kinds[index]!;
      const started = performance.now();
      const child = spawnSync(process.execPath, program(format, specifier), {
        cwd: root,
        env,
        encoding: "utf8",
      });
      const elapsed = performance.now() - started;
      if (child.status !== 0) {
        throw new Error(`bench: import child (${format} ${specifier}) failed: ${child.stderr}`);
      }
      wall[index]!.push(elapsed);
      inside[index]!.push(Number(child.stdout));
    }
  }
  const rows = kinds.map(({ format, target, specifier }, index): ImportCostRow => {
    const baseline = kinds.findIndex((kind) => kind.format === format && kind.target === "baseline");
    const processMedianMs = median(wall[index]!);
    return {
      format,
      target,
      specifier:
        specifier === null ? null : specifier.startsWith(root) ? specifier.slice(root.length) : specifier,
      runs,
      processMedianMs: round3(processMedianMs),
      processMinMs: round3(Math.min(...wall[index]!)),
      importMs: round3(processMedianMs - median(wall[baseline]!)),
      insideMedianMs: round3(median(inside[index]!)),
      insideMinMs: round3(Math.min(...inside[index]!)),
    };
  });
  const ratio = (format: ImportFormat, key: "importMs" | "insideMedianMs") => {
    const of = (target: ImportTarget) => rows.find((row) => row.format === format && row.target === target)!;
    return round3(of("pocketmap")[key] / of("sdk")[key]);
  };
  return {
    runs,
    rows,
    ratios: {
      esm: { process: ratio("esm", "importMs"), inside: ratio("esm", "insideMedianMs") },
      cjs: { process: ratio("cjs", "importMs"), inside: ratio("cjs", "insideMedianMs") },
    },
  };
}

/** A markdown table of the rows. */
export function formatImportCost(cost: ImportCost): string {
  const header = ["format", "import", "process ms", "import ms (− baseline)", "inside ms", "× sdk"];
  const lines = cost.rows.map((row) => {
    const ratio =
      row.target === "pocketmap"
        ? `${cost.ratios[row.format].process.toFixed(2)}× (inside ${cost.ratios[row.format].inside.toFixed(2)}×)`
        : row.target === "sdk"
          ? "1.00×"
          : "–";
    return [
      row.format,
      row.target === "baseline" ? "nothing (baseline)" : `${row.target}: ${row.specifier}`,
      row.processMedianMs.toFixed(1),
      row.target === "baseline" ? "–" : row.importMs.toFixed(1),
      row.target === "baseline" ? "–" : row.insideMedianMs.toFixed(2),
      ratio,
    ];
  });
  const widths = header.map((title, i) => Math.max(title.length, ...lines.map((line) => line[i]!.length)));
  const format = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(" | ")} |`;
  const rule = `| ${widths.map((width, i) => (i < 2 ? "-".repeat(width) : `${"-".repeat(width - 1)}:`)).join(" | ")} |`;
  return [format(header), rule, ...lines.map(format)].join("\n");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cost = measureImportCost(Number(process.argv[2] ?? 30));
  console.log(formatImportCost(cost));
}
