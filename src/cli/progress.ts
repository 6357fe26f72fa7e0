// Progress of long work on stderr: a bar on a terminal (cli-progress: rows, rate, ETA), JSON lines
// with --progress json, nothing otherwise or with --quiet.
import { choiceFlag, type Values } from "./command.ts";

export interface Progress {
  /** `rows` more are done. */
  add(rows: number): void;
  /** The work ended: the last frame (or JSON line) is written. */
  stop(): void;
}

const NONE: Progress = { add() {}, stop() {} };

/** How often JSON lines are written, at most (the last one always is). */
const JSON_EVERY_MS = 250;

export type ProgressMode = "bar" | "json" | "none";

/** The progress the flags ask for: `--progress bar|json|none`, default a bar only when stderr is a terminal. */
export function progressMode(values: Values): ProgressMode {
  // Checked even with --quiet: a bad value is a usage error however it ends up unused.
  const mode = choiceFlag(
    values,
    "progress",
    ["bar", "json", "none"] as const,
    process.stderr.isTTY ? "bar" : "none",
  );
  return values.quiet === true ? "none" : mode;
}

/**
 * How far through its input file an import is, in bytes: the rows ahead are not known, the bytes are,
 * so the bar's share and ETA come from these while it still counts rows.
 */
export interface ByteExtent {
  total: number;
  read(): number;
}

/**
 * Starts showing progress of `total` rows (undefined: not known) in `mode`; with `bytes`, the share
 * done and the ETA come from the bytes read of the input.
 */
export async function startProgress(
  mode: ProgressMode,
  label: string,
  total: number | undefined,
  bytes?: ByteExtent,
): Promise<Progress> {
  const stderr = process.stderr;
  if (mode === "none") return NONE;
  const started = performance.now();
  let done = 0;
  const rate = () => Math.round(done / Math.max((performance.now() - started) / 1000, 0.001));
  const bytesRead = () => Math.min(bytes?.read() ?? 0, bytes?.total ?? 0);
  if (mode === "json") {
    let last = 0;
    const inBytes = () => (bytes ? { bytes: bytesRead(), totalBytes: bytes.total } : {});
    const line = () =>
      stderr.write(`${JSON.stringify({ label, done, total: total ?? null, rate: rate(), ...inBytes() })}\n`);
    return {
      add(rows) {
        done += rows;
        if (performance.now() - last >= JSON_EVERY_MS) {
          last = performance.now();
          line();
        }
      },
      stop: line,
    };
  }
  // Loaded when a bar is drawn: every command starts faster without it.
  const { default: cliProgress } = await import("cli-progress");
  const known = total !== undefined;
  const format = bytes
    ? `${label} [{bar}] {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}`
    : known
      ? `${label} [{bar}] {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}`
      : `${label} {value} rows | {rate} rows/s`;
  const bar = new cliProgress.SingleBar(
    {
      stream: stderr,
      format,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  // With bytes, the bar's value is the bytes read and the rows are shown beside it.
  const value = () => (bytes ? bytesRead() : done);
  bar.start(bytes?.total ?? total ?? 0, 0, { rate: 0, rows: 0 });
  return {
    add(rows) {
      done += rows;
      bar.update(value(), { rate: rate(), rows: done });
    },
    stop() {
      if (!known && !bytes) bar.setTotal(done);
      bar.update(value(), { rate: rate(), rows: done });
      bar.stop();
    },
  };
}
