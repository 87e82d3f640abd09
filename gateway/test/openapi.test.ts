import type { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { issueToken } from "../src/auth/tokens.js";
import { ProblemSchema, componentSchemas as responseSchemas } from "../src/openapi/schemas.js";
import { DOCS_PATH } from "../src/routes/api-docs.js";
import {
  addCartItemRoute,
  clearCartRoute,
  getCartRoute,
  removeCartItemRoute,
  setCartItemRoute,
} from "../src/routes/cart.js";
import { getCheckoutRoute, startCheckoutRoute } from "../src/routes/checkout.js";
import { devTokenRoute } from "../src/routes/dev-token.js";
import { getOrderRoute, listOrdersRoute } from "../src/routes/orders.js";
import { getProductRoute, listProductsRoute } from "../src/routes/products.js";
import { requestBindings } from "../src/routes/request-bindings.js";
import { messageComponents } from "../src/validation/rule-schemas.js";
import { type Json, SECRET, startTestGateway } from "./fixture.js";

/** The route definitions the document is generated from, by operationId. */
const routesById: Record<string, { responses: Record<string, Json> }> = {
  listProducts: listProductsRoute,
  getProduct: getProductRoute,
  getCart: getCartRoute,
  addCartItem: addCartItemRoute,
  setCartItemQuantity: setCartItemRoute,
  removeCartItem: removeCartItemRoute,
  clearCart: clearCartRoute,
  startCheckout: startCheckoutRoute(1000),
  getCheckout: getCheckoutRoute,
  listOrders: listOrdersRoute,
  getOrder: getOrderRoute,
  issueDevToken: devTokenRoute,
};

const METHODS = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

interface Operation {
  method: string;
  path: string;
  op: Json;
}

function operations(doc: Json): Operation[] {
  return Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, op]) => ({ method, path, op })),
  );
}

const componentName = (ref: string) => ref.replace("#/components/schemas/", "");

/** A request built only from the document: parameter examples, the body schema's example. */
async function exampleRequest(doc: Json, { method, path, op }: Operation): Promise<{ url: string; init: RequestInit }> {
  const headers: Record<string, string> = {};
  let url = path;
  for (const p of (op.parameters ?? []) as Json[]) {
    const example = p.example ?? p.schema?.example;
    if (p.in === "path") url = url.replace(`{${p.name}}`, encodeURIComponent(String(example)));
    if (p.in === "header" && example !== undefined) headers[p.name] = String(example);
  }
  if (op.security?.length) headers.authorization = `Bearer ${await issueToken(SECRET, "alice")}`;
  let body: string | undefined;
  const media = op.requestBody?.content?.["application/json"];
  if (media) {
    const example = media.example ?? doc.components.schemas[componentName(media.schema.$ref)].example;
    body = JSON.stringify(example);
    headers["content-type"] = "application/json";
  }
  return { url, init: { method: method.toUpperCase(), headers, body } };
}

async function servedDocument() {
  const gw = startTestGateway();
  const res = await gw.app.request("/openapi.json");
  expect(res.status).toBe(200);
  return { gw, doc: (await res.json()) as Json };
}

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document, also served under /api/v1 without a token", async () => {
    const { gw, doc } = await servedDocument();
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    const again = await gw.app.request("/api/v1/openapi.json");
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(doc);
  });

  it("documents every route the app serves, and nothing else", async () => {
    const { gw, doc } = await servedDocument();
    const documented = operations(doc)
      .map((o) => `${o.method.toUpperCase()} ${o.path}`)
      .sort();
    const served = gw.app.routes
      .filter((r) => r.method !== "ALL")
      // The document itself, the undocumented second copy of the health probes, the
      // Prometheus scrape endpoint (operations, not the REST API), the reference page and the
      // inspector's web page.
      .filter(
        (r) =>
          !r.path.endsWith("/openapi.json") &&
          !r.path.startsWith("/api/v1/health") &&
          r.path !== "/metrics" &&
          !r.path.startsWith(DOCS_PATH) &&
          !r.path.startsWith("/inspector"),
      )
      .map((r) => `${r.method} ${r.path.replace(/:([^/]+)/g, "{$1}")}`);
    expect([...new Set(served)].sort()).toEqual(documented);
    expect(documented).toEqual(
      expect.arrayContaining([
        "GET /api/v1/products",
        "GET /api/v1/products/{id}",
        "GET /api/v1/cart",
        "POST /api/v1/cart/items",
        "PUT /api/v1/cart/items/{product_id}",
        "DELETE /api/v1/cart/items/{product_id}",
        "DELETE /api/v1/cart",
        "POST /api/v1/checkout",
        "GET /api/v1/checkout/{id}",
        "GET /api/v1/orders",
        "GET /api/v1/orders/{id}",
        "POST /api/v1/dev/token",
        "GET /health/live",
        "GET /health/ready",
      ]),
    );
  });

  it("every documented operation exists: its example request reaches the route and gets a documented answer", async () => {
    const { gw, doc } = await servedDocument();
    for (const operation of operations(doc)) {
      const name = `${operation.method.toUpperCase()} ${operation.path}`;
      const { url, init } = await exampleRequest(doc, operation);
      const res = await gw.app.request(url, init);
      const body = (await res.json()) as Json;
      expect(res.status, name).not.toBe(405);
      if (res.status === 404) expect(body.type, name).not.toBe("https://checkout-saga.dev/problems/not-found");
      expect(Object.keys(operation.op.responses), `${name} answered an undocumented ${res.status}`).toContain(
        String(res.status),
      );
      if (res.status >= 400) {
        expect(ProblemSchema.safeParse(body).success, `${name}: ${JSON.stringify(body)}`).toBe(true);
        continue;
      }
      expect(res.status, `${name}: the documented example is accepted`).toBeLessThan(300);
      const route = routesById[operation.op.operationId];
      if (!route) continue; // health: checked by its component schema below
      const schema = route.responses[res.status]?.content?.["application/json"]?.schema as z.ZodType;
      const parsed = schema.safeParse(body);
      expect(parsed.success, `${name} ${res.status}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it("documents bearer auth, the Idempotency-Key header and problem responses", async () => {
    const { doc } = await servedDocument();
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" });
    const checkout = doc.paths["/api/v1/checkout"].post;
    expect(checkout.security).toEqual([{ bearerAuth: [] }]);
    expect(checkout.parameters).toContainEqual(
      expect.objectContaining({ name: "Idempotency-Key", in: "header", required: true }),
    );
    for (const status of ["400", "401", "402", "409", "413", "415", "422", "429", "500", "503", "504"]) {
      expect(checkout.responses[status].content["application/problem+json"].schema.$ref, status).toBe(
        "#/components/schemas/Problem",
      );
    }
    expect(checkout.responses["401"].headers["WWW-Authenticate"]).toBeDefined();
    expect(checkout.responses["429"].headers["Retry-After"]).toBeDefined();
    expect(doc.paths["/api/v1/cart/items"].post.requestBody.content["application/json"].schema.$ref).toBe(
      "#/components/schemas/AddCartItem",
    );
    expect(doc.components.schemas.AddCartItem.additionalProperties).toBe(false);
    expect(doc.components.schemas.AddCartItem.properties.quantity).toMatchObject({
      type: "integer",
      minimum: 1,
      maximum: 99,
    });
    expect(doc.paths["/api/v1/orders"].get.parameters).toContainEqual(
      expect.objectContaining({
        name: "limit",
        in: "query",
        schema: expect.objectContaining({ minimum: 1, maximum: 100 }),
      }),
    );
  });

  it("has an example on every named schema, and each validates against the zod schema it came from", async () => {
    const { doc } = await servedDocument();
    const names = Object.keys(doc.components.schemas);
    // Responses are written as zod; request bodies and the messages in them are generated from the field rules.
    const componentSchemas: Record<string, z.ZodType> = { ...responseSchemas, ...messageComponents() };
    for (const binding of Object.values(requestBindings)) {
      if (binding.body && binding.bodyName) componentSchemas[binding.bodyName] = binding.body;
    }
    expect(names.sort()).toEqual(Object.keys(componentSchemas).sort());
    for (const name of names) {
      const example = doc.components.schemas[name].example;
      expect(example, `${name} has an example`).toBeDefined();
      const parsed = componentSchemas[name]!.safeParse(example);
      expect(parsed.success, `${name}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true);
    }
  });

  it("has parameter examples that the routes' own schemas accept", async () => {
    const { doc } = await servedDocument();
    for (const { path, method, op } of operations(doc)) {
      for (const p of (op.parameters ?? []) as Json[]) {
        const example = p.example ?? p.schema?.example;
        if (p.in === "path") expect(example, `${method} ${path} ${p.name}`).toBeDefined();
        if (example === undefined) continue;
        if (p.schema.pattern) expect(String(example)).toMatch(new RegExp(p.schema.pattern));
      }
    }
  });
});
