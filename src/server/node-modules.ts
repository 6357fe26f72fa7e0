// Node's built-in modules for the layers that do I/O, each loaded when first used, not when pocketmap is
// imported. `import { x } from "node:fs"` in ESM builds a facade of the whole module, which runs every
// lazy getter (fs's ReadStream loads all of node:stream); child_process, net, crypto and worker_threads
// load more still. Together they were most of the cost of `import "pocketmap"` (bench/README.md,
// "Import cost"). process.getBuiltinModule returns the module as require() would, in both builds.
export const nodeModules = {
  get childProcess() {
    return process.getBuiltinModule("node:child_process");
  },
  get crypto() {
    return process.getBuiltinModule("node:crypto");
  },
  get fs() {
    return process.getBuiltinModule("node:fs");
  },
  get fsPromises() {
    return process.getBuiltinModule("node:fs/promises");
  },
  get net() {
    return process.getBuiltinModule("node:net");
  },
  get os() {
    return process.getBuiltinModule("node:os");
  },
  get path() {
    return process.getBuiltinModule("node:path");
  },
  get util() {
    return process.getBuiltinModule("node:util");
  },
  get workerThreads() {
    return process.getBuiltinModule("node:worker_threads");
  },
};
