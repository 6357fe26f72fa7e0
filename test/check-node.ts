// pretest: says which Node runs the suite and fails unless it is Node 24, the devDependency "node".
// (npm scripts find it first on PATH; without it, a machine's older Node would run the suite.)
const major = Number(process.versions.node.split(".")[0]);
console.log(`node ${process.version} (${process.execPath})`);
if (major < 24) {
  console.error(
    `node_modules/.bin/node is Node ${process.version}, not the devDependency "node" (24): run \`npm ci\` to relink it`,
  );
  process.exit(1);
}
