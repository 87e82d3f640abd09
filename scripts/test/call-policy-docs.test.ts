import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { CALL_POLICIES, CALL_POLICY_DOC, callPolicyTable, withCallPolicyBlock } from "../lib/call-policy-docs.js";

describe("the call policy table", () => {
  it("in ARCHITECTURE.md is the services' policies (npm run docs:trust rewrites it)", async () => {
    const text = await readFile(CALL_POLICY_DOC, "utf8");
    expect(text).toBe(withCallPolicyBlock(text));
  });

  it("lists every RPC of every service once", () => {
    const rows = callPolicyTable(CALL_POLICIES).split("\n").slice(2);
    const rpcs = CALL_POLICIES.flatMap((p) => p.service.methods.map((m) => `${p.service.name}.${m.name}`));
    expect(rows.map((r) => r.split("|")[1]?.trim())).toEqual(rpcs);
  });
});
