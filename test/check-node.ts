// pretest: says which Node runs the suite and fails unless it is Node 24, the devDependency "node".
// The devDependency "node22" declares a `node` bin too; a fresh `npm ci` links node_modules/.bin/node
// to Node 24, but an incremental `npm install` that changes either package can link Node 22 instead.
const major = Number(process.versions.node.split(".")[0]);
console.log(`node ${process.version} (${process.execPath})`);
if (major < 24) {
  console.error(
    `node_modules/.bin/node is Node ${process.version}, not the devDependency "node" (24): run \`npm ci\` to relink it`,
  );
  process.exit(1);
}
