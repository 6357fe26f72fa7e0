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
// Import cost = the median, over the runs, of the process's time minus the baseline's in the same run
// (ESM and CommonJS each against their own baseline): pairing samples taken moments apart cancels
// most of the drift of a shared machine's load. Two clocks: wall time (spawn to exit, timed by the
// parent) and CPU time (the child's process.cpuUsage() just before it exits, every thread of it),
// which a busy machine barely disturbs: the goal is read on CPU time. The child also times the import
// from the inside (performance.now() around it, after a first import of node:path has set up the
// module loader, which every kind would pay alike). The kinds take turns, in a rotating order.
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
  /** Median over the runs of (this process's wall time − the baseline's in the same run); 0 for the baseline. */
  importMs: number;
  /** The child's CPU time (user + system, all threads), median. */
  cpuMedianMs: number;
  /** Median over the runs of (this process's CPU time − the baseline's in the same run); 0 for the baseline. */
  importCpuMs: number;
  /** The import alone, timed inside the child, median and min (0 for the baseline). */
  insideMedianMs: number;
  insideMinMs: number;
}

export interface ImportCost {
  runs: number;
  rows: ImportCostRow[];
  /** pocketmap's import cost ÷ the SDK's, per format: from wall and CPU times, and from the inside. */
  ratios: Record<ImportFormat, { process: number; cpu: number; inside: number }>;
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
      `await import("node:path"); const t = performance.now(); ${body} const ms = performance.now() - t; const u = process.cpuUsage(); process.stdout.write(JSON.stringify([ms, (u.user + u.system) / 1000]));`,
    ];
  }
  const body = load ? `require(${load});` : "";
  return [
    "-e",
    `require("node:path"); const t = performance.now(); ${body} const ms = performance.now() - t; const u = process.cpuUsage(); process.stdout.write(JSON.stringify([ms, (u.user + u.system) / 1000]));`,
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
  const cpu = kinds.map(() => [] as number[]);
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
      const [insideMs, cpuMs] = JSON.parse(child.stdout) as [number, number];
      inside[index]!.push(insideMs);
      cpu[index]!.push(cpuMs);
    }
  }
  const rows = kinds.map(({ format, target, specifier }, index): ImportCostRow => {
    const baseline = kinds.findIndex((kind) => kind.format === format && kind.target === "baseline");
    const processMedianMs = median(wall[index]!);
    const paired = (times: number[][]) => median(times[index]!.map((ms, run) => ms - times[baseline]![run]!));
    return {
      format,
      target,
      specifier:
        specifier === null ? null : specifier.startsWith(root) ? specifier.slice(root.length) : specifier,
      runs,
      processMedianMs: round3(processMedianMs),
      processMinMs: round3(Math.min(...wall[index]!)),
      importMs: round3(paired(wall)),
      cpuMedianMs: round3(median(cpu[index]!)),
      importCpuMs: round3(paired(cpu)),
      insideMedianMs: round3(median(inside[index]!)),
      insideMinMs: round3(Math.min(...inside[index]!)),
    };
  });
  const ratio = (format: ImportFormat, key: "importMs" | "importCpuMs" | "insideMedianMs") => {
    const of = (target: ImportTarget) => rows.find((row) => row.format === format && row.target === target)!;
    return round3(of("pocketmap")[key] / of("sdk")[key]);
  };
  return {
    runs,
    rows,
    ratios: {
      esm: {
        process: ratio("esm", "importMs"),
        cpu: ratio("esm", "importCpuMs"),
        inside: ratio("esm", "insideMedianMs"),
      },
      cjs: {
        process: ratio("cjs", "importMs"),
        cpu: ratio("cjs", "importCpuMs"),
        inside: ratio("cjs", "insideMedianMs"),
      },
    },
  };
}

/** A markdown table of the rows. */
export function formatImportCost(cost: ImportCost): string {
  const header = [
    "format",
    "import",
    "wall ms",
    "− baseline",
    "CPU ms",
    "− baseline",
    "inside ms",
    "× sdk (CPU, wall, inside)",
  ];
  const lines = cost.rows.map((row) => {
    const { cpu, process, inside } = cost.ratios[row.format];
    const ratio =
      row.target === "pocketmap"
        ? `${cpu.toFixed(2)}×, ${process.toFixed(2)}×, ${inside.toFixed(2)}×`
        : row.target === "sdk"
          ? "1.00×"
          : "–";
    const base = row.target === "baseline";
    return [
      row.format,
      row.target === "baseline" ? "nothing (baseline)" : `${row.target}: ${row.specifier}`,
      row.processMedianMs.toFixed(1),
      base ? "–" : row.importMs.toFixed(1),
      row.cpuMedianMs.toFixed(1),
      base ? "–" : row.importCpuMs.toFixed(1),
      base ? "–" : row.insideMedianMs.toFixed(2),
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
