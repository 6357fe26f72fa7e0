// The layers of src/ (docs/architecture.md): each folder imports only from folders listed before it,
// and nothing imports in a circle. `npm run lint` (and so `npm test`) runs this.
const LAYERS = ["abstract", "async", "server", "sync", "env", "cli"];

/** One rule per layer: it may not import any layer after it, nor src/index.ts. */
const upward = LAYERS.map((layer, index) => ({
  name: `layers-${layer}`,
  comment: `src/${layer} imports only from ${LAYERS.slice(0, index).join(", ") || "nothing else in src"}`,
  severity: "error",
  from: { path: `^src/${layer}/` },
  to: {
    path: [...LAYERS.slice(index + 1).map((later) => `^src/${later}/`), "^src/index\\.ts$"],
  },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: "no-circular",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "abstract-no-io",
      comment: "src/abstract does no I/O: no Node built-ins, and of the packages only emittery",
      severity: "error",
      from: { path: "^src/abstract/" },
      to: {
        dependencyTypes: ["core", "npm", "npm-dev", "npm-optional", "npm-peer", "npm-no-pkg"],
        pathNot: "emittery",
      },
    },
    {
      name: "no-unresolvable",
      severity: "error",
      from: { path: "^src/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    exclude: { path: "^(test|bench|examples|dist)/" },
    // Resolve packages as Node does, by their "exports" (eventsource-parser has no "main").
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
    },
  },
};
