import { writeSagaDocs } from "./lib/saga-docs.js";

const usage = `usage: npm run docs:saga

Regenerates the saga diagrams and state tables in the docs (ARCHITECTURE.md) from the saga
definitions in the code. A test fails when a document and a definition disagree.`;

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(usage);
  process.exit(0);
}
const changed = await writeSagaDocs();
console.log(changed.length > 0 ? `updated ${changed.join(", ")}` : "saga docs are up to date");
