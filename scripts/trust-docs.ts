import { writeCallPolicyDoc } from "./lib/call-policy-docs.js";

const usage = `usage: npm run docs:trust

Regenerates the table of who may call each RPC, and for which user, in ARCHITECTURE.md
("Trust between services") from every service's call policy (src/rpc/*-call-policy.ts).
A test fails when the table and the policies disagree.`;

if (process.argv.includes("--help") || process.argv.includes("-h")) {
  console.log(usage);
  process.exit(0);
}
console.log((await writeCallPolicyDoc()) ? "updated ARCHITECTURE.md" : "the call policy table is up to date");
