// A watchdog for embedded servers: a tiny shell process that holds the read end of a pipe from this
// process. When this process ends in any way (a signal with Node's default action, SIGKILL, a crash),
// the pipe reaches end-of-file and the watchdog stops the servers it was told about and removes their
// temporary directory. It costs one `sh` (about a millisecond to start, about a megabyte of memory).
//
// Lines it reads: "watch <pid> <TERM|KILL>", "forget <pid>", "dir <path>", "dismiss" (all done: exit
// without touching anything). A watched process gets its signal, and SIGKILL if it is still there
// after 3 s; the directory is removed once the processes are gone (or after 4 s).
import { spawn } from "node:child_process";
import type { Socket } from "node:net";

const SCRIPT = `
trap '' INT HUP
watched=""
dir=""
forget() {
  kept=""
  for entry in $watched; do [ "\${entry%%:*}" = "$1" ] || kept="$kept $entry"; done
  watched=$kept
}
alive() {
  for entry in $watched; do
    pid=\${entry%%:*}
    kill -0 "$pid" 2>/dev/null || continue
    # A zombie (killed, not yet reaped by init) is gone for our purposes; /proc tells on Linux.
    stat=""
    read -r stat < "/proc/$pid/stat" 2>/dev/null
    case $stat in *") Z "*) continue ;; esac
    return 0
  done
  return 1
}
while IFS= read -r line; do
  case $line in
    "watch "*) set -- \${line#watch }; watched="$watched $1:$2" ;;
    "forget "*) forget "\${line#forget }" ;;
    "dir "*) dir=\${line#dir } ;;
    dismiss) exit 0 ;;
  esac
done
for entry in $watched; do kill -s "\${entry#*:}" "\${entry%%:*}" 2>/dev/null; done
n=0
while alive && [ $n -lt 60 ]; do sleep 0.05; n=$((n + 1)); done
for entry in $watched; do kill -s KILL "\${entry%%:*}" 2>/dev/null; done
n=0
while alive && [ $n -lt 20 ]; do sleep 0.05; n=$((n + 1)); done
if [ -n "$dir" ]; then rm -rf -- "$dir"; fi
`;

export interface Watchdog {
  /** Stop this process with `signal` if this process ends first. */
  watch(pid: number, signal: "TERM" | "KILL"): void;
  /** The process has exited: never signal its (possibly reused) pid. */
  forget(pid: number): void;
  /** Remove this directory if this process ends first. */
  removeDir(dir: string): void;
  /** Everything is cleaned up: the watchdog exits without doing anything. */
  dismiss(): void;
}

/** Starts a watchdog. Where `sh` cannot run, it does nothing (the exit handler still cleans up). */
export function startWatchdog(): Watchdog {
  const child = spawn("sh", ["-c", SCRIPT], {
    stdio: ["pipe", "ignore", "ignore"],
    // Its own session: a Ctrl-C in the terminal reaches this process group, not the watchdog.
    detached: true,
    windowsHide: true,
  });
  let open = true;
  child.on("error", () => {
    open = false;
  });
  child.stdin?.on("error", () => {
    open = false;
  });
  // Neither the watchdog nor its pipe may keep this process alive.
  child.unref();
  (child.stdin as Socket | null)?.unref();
  const send = (line: string) => {
    if (open && child.stdin?.writable && !line.includes("\n")) child.stdin.write(`${line}\n`);
  };
  return {
    watch: (pid, signal) => send(`watch ${pid} ${signal}`),
    forget: (pid) => send(`forget ${pid}`),
    removeDir: (dir) => send(`dir ${dir}`),
    dismiss: () => {
      send("dismiss");
      open = false;
      child.stdin?.end();
    },
  };
}
