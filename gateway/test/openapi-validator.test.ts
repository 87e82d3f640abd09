/** The served document through a standard OpenAPI validator (schema of the spec, $refs, examples). */
import { validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import type { Json } from "./fixture.js";
import { startTestGateway } from "./fixture.js";

describe("the served OpenAPI document", () => {
  it("passes @readme/openapi-parser's validation", async () => {
    const res = await startTestGateway().app.request("/openapi.json");
    const doc = (await res.json()) as Json;
    const result = await validate(structuredClone(doc));
    // The errors are the message worth seeing when this fails.
    expect(result.valid ? [] : result.errors).toEqual([]);
    expect(result).toMatchObject({ valid: true, specification: "OpenAPI" });
  });

  it("is caught by the validator when broken", async () => {
    const res = await startTestGateway().app.request("/openapi.json");
    const doc = (await res.json()) as Json;
    doc.paths["/api/v1/cart"].get.responses["200"].content["application/json"].schema = {
      $ref: "#/components/schemas/Nope",
    };
    expect((await validate(doc)).valid).toBe(false);
  });
});
