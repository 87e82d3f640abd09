import {
  create,
  type DescField,
  type DescMessage,
  type DescService,
  getExtension,
  getOption,
  hasExtension,
  type Message,
  ScalarType,
} from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { violationsToProto } from "@bufbuild/protovalidate";
import {
  FieldRulesSchema,
  field as fieldRulesOption,
  Ignore,
  StringRulesSchema,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { CURRENCY_CODES, createRequestValidator } from "@checkout-saga/shared";
import {
  CartService,
  ClaimCartLinesRequestSchema,
  UpdateQuantityRequestSchema,
} from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { CheckoutService } from "@checkout-saga/shared/gen/checkoutsaga/checkout/v1/checkout_pb";
import { iso4217_currency, resource_id, user_id } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/rules_pb";
import { InventoryService } from "@checkout-saga/shared/gen/checkoutsaga/inventory/v1/inventory_pb";
import { OrdersService } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { PaymentService } from "@checkout-saga/shared/gen/checkoutsaga/payment/v1/payment_pb";
import { ProductService } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { Code, ConnectError } from "@connectrpc/connect";
import type { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { isUserId } from "../src/auth/tokens.js";
import { requestBindings } from "../src/routes/request-bindings.js";
import { PREDEFINED_STRING_RULES } from "../src/validation/field-rules.js";
import type { RpcBinding } from "../src/validation/rpc-binding.js";
import { type Json, problemOf, startTestGateway } from "./fixture.js";

/*
 * One source of field rules (issue #12): every REST input the served OpenAPI document states
 * (path, query, header, body and each nested member) carries exactly the constraints of the RPC
 * request field it feeds, and the gateway's own validation accepts exactly what the service's
 * does. The oracle here is written apart from the generator: it lists the buf.validate rules a
 * field sets by reflection and names each one's JSON Schema keyword, so a rule with no keyword,
 * or a keyword no rule explains, fails — a rule added to one side only cannot pass.
 */

const services: DescService[] = [
  CartService,
  CheckoutService,
  InventoryService,
  OrdersService,
  PaymentService,
  ProductService,
];
const validator = createRequestValidator();

/** Our predefined string rules (common/v1/rules.proto). */
const PREDEFINED = [iso4217_currency, resource_id, user_id];

/** Every rule a rules message sets, as `string.min_len` → value (nested rule messages flattened). */
function setRules(rules: Message, schema: DescMessage, prefix = ""): Map<string, unknown> {
  const out = new Map<string, unknown>();
  const r = reflect(schema, rules);
  for (const f of r.fields) {
    if (!r.isSet(f)) continue;
    const name = `${prefix}${f.name}`;
    if (f.fieldKind === "message") {
      const nested = r.get(f) as { message: Message };
      for (const [k, v] of setRules(nested.message, f.message, `${name}.`)) out.set(k, v);
    } else if (f.fieldKind === "list") {
      out.set(name, [...(r.get(f) as Iterable<unknown>)]);
    } else {
      out.set(name, r.get(f));
    }
  }
  // Our predefined rules arrive as extensions, which reflection does not list; any other
  // extension is one this oracle cannot name, and fails below as a rule with no keyword.
  if (schema.typeName === StringRulesSchema.typeName) {
    for (const rule of PREDEFINED)
      if (hasExtension(rules as never, rule)) out.set(`${prefix}${rule.name}`, getExtension(rules as never, rule));
  }
  for (const u of rules.$unknown ?? [])
    if (!PREDEFINED.some((rule) => rule.number === u.no)) out.set(`${prefix}extension ${u.no}`, u);
  return out;
}

const rulesOf = (field: DescField) => setRules(getOption(field, fieldRulesOption), FieldRulesSchema);

/** The integer rules a JSON number's bounds state (int64 within ±(2^53 - 1)). */
const INTEGER_RULES = new Set(["int32", "int64"]);

/** The JSON Schema keywords a set of rules means; throws on a rule that has none. */
function keywordsOf(rules: Map<string, unknown>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [rule, value] of rules) {
    const n = () => Number(value);
    const type = rule.split(".")[0];
    const name = rule.slice(type!.length + 1);
    if (rule === "required" || rule === "ignore") continue;
    if (type === "string" && name === "min_len") out.minLength = n();
    else if (type === "string" && name === "max_len") out.maxLength = n();
    else if (type === "string" && name === "len") Object.assign(out, { minLength: n(), maxLength: n() });
    else if (type === "string" && name === "pattern") out.pattern = value;
    else if (type === "string" && name === "in") out.enum = value;
    else if (type === "string" && name === "iso4217_currency" && value === true) out.enum = [...CURRENCY_CODES];
    // Their CEL's REST form; gateway/test/predefined-rules.test.ts holds each to its CEL by behaviour.
    else if (type === "string" && (name === "resource_id" || name === "user_id") && value === true)
      Object.assign(out, PREDEFINED_STRING_RULES[name]);
    else if (INTEGER_RULES.has(type!) && name === "gte") out.minimum = n();
    else if (INTEGER_RULES.has(type!) && name === "lte") out.maximum = n();
    else if (INTEGER_RULES.has(type!) && name === "gt") out.minimum = n() + 1;
    else if (INTEGER_RULES.has(type!) && name === "lt") out.maximum = n() - 1;
    else if (type === "repeated" && name === "min_items") out.minItems = n();
    else if (type === "repeated" && name === "max_items") out.maxItems = n();
    else if (type === "repeated" && name.startsWith("items.")) {
      const items = new Map(
        [...rules].filter(([k]) => k.startsWith("repeated.items.")).map(([k, v]) => [k.slice(15), v]),
      );
      out.items = keywordsOf(items, `${where} items`);
    } else throw new Error(`${where}: rule ${rule} has no JSON Schema keyword`);
  }
  return out;
}

/** Keywords that describe (type, docs) rather than constrain; `required` and nesting are compared apart. */
const DESCRIPTIVE = new Set(["type", "description", "example", "default", "properties", "required", "$ref"]);

function constraintsOf(schema: Json): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (DESCRIPTIVE.has(k)) continue;
    if (k === "additionalProperties") {
      expect(v, "request objects refuse unknown members").toBe(false);
      continue;
    }
    out[k] = k === "items" ? constraintsOf(v as Json) : v;
  }
  return out;
}

/** Whether the service accepts `value` in `field` (only violations of that field count). */
function serviceAccepts(field: DescField, value: unknown): boolean {
  // An int64 is a bigint in the message; the samples are JSON numbers.
  const int64 = field.fieldKind === "scalar" && field.scalar === ScalarType.INT64 && typeof value === "number";
  const message = create(field.parent, { [field.localName]: int64 ? BigInt(value) : value } as never);
  const result = validator.validate(field.parent, message);
  if (result.kind === "valid") return true;
  if (result.kind === "error") throw result.error;
  return !result.violations.some((v) => v.field[0]?.kind === "field" && v.field[0].name === field.name);
}

/** Values at and around a field's bounds and patterns, good and bad, to try on both sides. */
function samples(rules: Map<string, unknown>, scalar: ScalarType = ScalarType.STRING): unknown[] {
  if (scalar === ScalarType.BOOL) return [true, false];
  if (scalar !== ScalarType.STRING) {
    const type = scalar === ScalarType.INT64 ? "int64" : "int32";
    const lo = Number(rules.get(`${type}.gte`) ?? 0);
    const hi = Number(rules.get(`${type}.lte`) ?? 0);
    return [lo - 1, lo, lo + 1, hi - 1, hi, hi + 1, 0, -1, 2 ** 31 - 1];
  }
  const { minLength, maxLength } = keywordsOf(rules, "samples");
  const min = Number(minLength ?? 0);
  const max = Number(maxLength ?? 300);
  const lengths = [0, 1, 2, 3, 4, min - 1, min, min + 1, max - 1, max, max + 1].filter((n) => n >= 0);
  const out: unknown[] = [
    ...[
      "a",
      "A",
      "9",
      "-",
      "+",
      "JP",
      "jp",
      "JPN",
      "JPY",
      "jpy",
      "USD",
      "BHD",
      "XTS",
      "XXX",
      "tok_visa",
      "card",
      "konbini",
      "x y",
      "x,y",
      "x@y",
      "x|y",
    ],
    ...[" x", "x ", " ", "x\ty", "x\ny", "x\u0000y", "x\u202Ey", "x\u2067y", "x\u0085y", "é", "東京", "😀"],
    ...["+81-3-1234-5678", "(03) 1234.5678", "100-0001", "AB-_9", "a.b:c", "eyJhIjoxfQ", "k".repeat(256)],
  ];
  for (const n of lengths) out.push("7".repeat(n), "é".repeat(n), "😀".repeat(n));
  return out;
}

/** A REST input as the document states it, with the zod schema the gateway validates it with. */
interface RestInput {
  path: string;
  required: boolean;
  schema: Json;
  zod: z.ZodType;
  text: boolean;
}

const resolve = (doc: Json, schema: Json): Json =>
  schema.$ref ? doc.components.schemas[String(schema.$ref).replace("#/components/schemas/", "")] : schema;

const zodMember = (object: z.ZodType, name: string): z.ZodType => {
  const shape = (object as unknown as { shape: Record<string, z.ZodType> }).shape;
  const member = shape[name];
  if (!member) throw new Error(`the gateway's schema has no ${name}`);
  return member;
};

/** Compares a REST object with the message it stands for, member by member. */
function compareMembers(doc: Json, object: Json, zod: z.ZodType, message: DescMessage, path: string, where: string) {
  expect(Object.keys(object.properties).sort(), `${where}: the members are the message's fields`).toEqual(
    message.fields.map((f) => f.name).sort(),
  );
  expect(constraintsOf(object), where).toEqual({});
  for (const f of message.fields) {
    compare(
      doc,
      {
        path: `${path}.${f.name}`,
        required: (object.required ?? []).includes(f.name),
        schema: object.properties[f.name],
        zod: zodMember(zod, f.name),
        text: false,
      },
      f,
      `${where}.${f.name}`,
    );
  }
}

/** Compares a REST input with the RPC field it feeds, recursing into messages. */
function compare(doc: Json, input: RestInput, field: DescField, where: string): void {
  const rules = rulesOf(field);
  const ignored = rules.get("ignore") === Ignore.IF_ZERO_VALUE;
  if (field.fieldKind === "message") {
    expect(input.required, `${where}: required as its rule says`).toBe(rules.get("required") === true);
    const inner = (input.zod as unknown as { unwrap?: () => z.ZodType }).unwrap?.() ?? input.zod;
    compareMembers(doc, resolve(doc, input.schema), inner, field.message, input.path, where);
    return;
  }
  if (field.fieldKind === "list" && field.listKind === "message") {
    // A list of messages (a product's prices): the list's own bounds, then each item as its message.
    const { items, ...list } = constraintsOf(resolve(doc, input.schema));
    expect(list, where).toEqual(keywordsOf(rules, where));
    expect(input.required, `${where}: REST requires it exactly when the service refuses an empty list`).toBe(
      !ignored && !serviceAccepts(field, []),
    );
    expect(items, `${where}: items are objects with no constraints of their own`).toEqual({});
    // Optional and array wrappers both unwrap (zod 4): down to the item's object schema.
    let element = input.zod as unknown as { unwrap?: () => unknown; shape?: unknown };
    while (element.shape === undefined && element.unwrap) element = element.unwrap() as typeof element;
    compareMembers(
      doc,
      resolve(doc, resolve(doc, input.schema).items),
      element as unknown as z.ZodType,
      field.message,
      `${input.path}[]`,
      where,
    );
    return;
  }
  if (field.fieldKind === "enum") {
    compareEnum(input, field, rules, where);
    return;
  }
  expect(constraintsOf(resolve(doc, input.schema)), where).toEqual(keywordsOf(rules, where));
  const zero =
    field.fieldKind === "list"
      ? []
      : field.scalar === ScalarType.BOOL
        ? false
        : field.scalar === ScalarType.STRING
          ? ""
          : 0;
  const required = !ignored && !serviceAccepts(field, zero);
  expect(input.required, `${where}: REST requires it exactly when the service refuses its zero value`).toBe(required);
  if (field.fieldKind !== "scalar") return;
  for (const value of samples(rules, field.scalar)) {
    // The zero value stands for "absent" on the wire; REST may refuse it when sent explicitly.
    if (ignored && (value === "" || value === 0)) continue;
    const sent = input.text ? String(value) : value;
    const gateway = input.zod.safeParse(sent).success;
    expect(gateway, `${where} = ${JSON.stringify(sent)}: the gateway and the service agree`).toBe(
      serviceAccepts(field, value),
    );
  }
}

/**
 * An enum travels by its values' names without the enum's prefix (COMPLETED for
 * CHECKOUT_STATUS_COMPLETED); its zero value stands for "absent". Only `defined_only` (plus
 * in / not_in) can be said of such a name, and REST lists exactly the names the service takes.
 */
function compareEnum(
  input: RestInput,
  field: DescField & { fieldKind: "enum" },
  rules: Map<string, unknown>,
  where: string,
) {
  const prefix = `${field.enum.name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase()}_`;
  const restName = (protoName: string) => protoName.slice(prefix.length);
  for (const rule of rules.keys()) {
    if (!["ignore", "enum.defined_only", "enum.in", "enum.not_in"].includes(rule)) {
      throw new Error(`${where}: rule ${rule} has no JSON Schema keyword`);
    }
  }
  const accepted = field.enum.values.filter((v) => v.number !== 0 && serviceAccepts(field, v.number));
  expect(input.schema.enum, `${where}: REST names the values the service accepts`).toEqual(
    accepted.map((v) => restName(v.name)),
  );
  expect(input.required, `${where}: optional, its zero value meaning "absent"`).toBe(false);
  for (const v of field.enum.values) {
    const name = restName(v.name);
    expect(input.zod.safeParse(name).success, `${where} = ${name}`).toBe(
      v.number !== 0 && serviceAccepts(field, v.number),
    );
  }
  for (const sent of ["", "0", "1", "completed", field.enum.values[1]?.name ?? "", "UNKNOWN"]) {
    expect(input.zod.safeParse(sent).success, `${where} = ${JSON.stringify(sent)}`).toBe(false);
  }
}

async function servedDocument(): Promise<Json> {
  const res = await startTestGateway().app.request("/openapi.json");
  expect(res.status).toBe(200);
  return res.json();
}

const bindings = requestBindings as Record<string, RpcBinding<DescMessage>>;
const NOT_RPC_INPUTS = new Set(["receivePaymentWebhook"]);

describe("one source of field rules", () => {
  it("every REST input in the served document has exactly its RPC field's rules, and the gateway accepts what the service accepts", async () => {
    const doc = await servedDocument();
    const seen = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Json>)) {
      for (const [method, op] of Object.entries(item as Record<string, Json>)) {
        const inputs: Array<{ in: string; name: string; input: RestInput }> = [];
        const binding = bindings[op.operationId];
        for (const p of (op.parameters ?? []) as Json[]) {
          const object = { path: binding?.params, query: binding?.query, header: binding?.headers }[p.in as string];
          inputs.push({
            in: p.in,
            name: p.name,
            input: {
              path: p.name,
              required: p.required === true,
              schema: p.schema,
              zod: object ? zodMember(object, p.name) : (undefined as never),
              text: true,
            },
          });
        }
        const body = op.requestBody?.content?.["application/json"]?.schema;
        if (body) {
          const object = resolve(doc, body);
          expect(constraintsOf(object)).toEqual({});
          for (const [name, schema] of Object.entries(object.properties as Record<string, Json>)) {
            const zod = binding?.body ? zodMember(binding.body, name) : (undefined as never);
            const required = (object.required ?? []).includes(name);
            inputs.push({ in: "body", name, input: { path: name, required, schema, zod, text: false } });
          }
        }
        if (inputs.length === 0) continue;
        const where = `${method.toUpperCase()} ${path}`;
        // The provider's webhook is its wire format (shared/src/payment-webhooks.ts), checked by its
        // signature and schema, not a request of ours: no RPC request's rules stand behind it.
        if (NOT_RPC_INPUTS.has(op.operationId)) continue;
        expect(binding, `${where} (${op.operationId}) binds its inputs to an RPC request`).toBeDefined();
        if (!binding) continue;
        seen.add(op.operationId);
        expect(
          inputs.map((i) => `${i.in} ${i.name}`).sort(),
          `${where}: the document states exactly the bound inputs`,
        ).toEqual(binding.fields.map((f) => `${f.in} ${f.name}`).sort());
        for (const { in: location, name, input } of inputs) {
          const bound = binding.fields.find((f) => f.in === location && f.name === name);
          if (!bound) continue;
          compare(doc, input, bound.field, `${where} ${location} ${name} → ${fieldKey(bound.field)}`);
        }
      }
    }
    expect([...seen].sort()).toEqual(Object.keys(bindings).sort());
  });

  it("fails a rule with no REST counterpart rather than leaving it out", () => {
    const withCel = new Map<string, unknown>([["cel", [{ id: "x" }]]]);
    expect(() => keywordsOf(withCel, "a field")).toThrow(/rule cel has no JSON Schema keyword/);
  });

  it("holds a business field to one rule in every RPC request that carries it", () => {
    const byName = new Map<string, Array<{ where: string; rules: string }>>();
    const shared = ["user_id", "product_id", "checkout_id", "order_id", "payment_id", "page_size", "page_token"];
    const visit = (message: DescMessage, seenTypes: Set<string>) => {
      if (seenTypes.has(message.typeName)) return;
      seenTypes.add(message.typeName);
      for (const f of message.fields) {
        const rules = [...rulesOf(f)].filter(([k]) => k !== "ignore" && k !== "required");
        const key = f.name === "ids" || f.name === "product_ids" ? "product_id" : f.name;
        const typeRules = rules.map(([k, v]) => [k.replace(/^repeated\.items\./, ""), v]);
        const own = typeRules.filter(([k]) => !String(k).startsWith("repeated."));
        if (shared.includes(key)) {
          const list = byName.get(key) ?? [];
          list.push({
            where: fieldKey(f),
            rules: JSON.stringify(own.sort(), (_, v) => (typeof v === "bigint" ? Number(v) : v)),
          });
          byName.set(key, list);
        }
        if (f.message) visit(f.message, seenTypes);
      }
    };
    for (const service of services) for (const m of service.methods) visit(m.input, new Set());
    for (const [name, uses] of byName) {
      const distinct = new Set(uses.map((u) => u.rules));
      expect(distinct.size, `${name}: ${uses.map((u) => `${u.where} ${u.rules}`).join("\n")}`).toBe(1);
    }
    expect([...byName.keys()].sort()).toEqual([...shared].sort());
  });

  it("turns a service's refusal by a field rule into a validation-error naming the REST input and the rule", async () => {
    /** What the validate interceptor answers for this UpdateQuantity, as a service would send it. */
    const refusal = (init: { userId: string; productId: string; quantity: number }) => {
      const result = validator.validate(UpdateQuantityRequestSchema, create(UpdateQuantityRequestSchema, init));
      if (result.kind !== "invalid") throw new Error("expected violations");
      const [value, desc] = violationsToProto(result.violations);
      return new ConnectError(result.error.message, Code.InvalidArgument, undefined, [{ desc, value }]);
    };
    const cases = [
      // Rules the gateway states too, had a service's drifted: named where the client sent them.
      [
        { userId: "u", productId: "2", quantity: 100 },
        { path: "quantity", in: "body", rule: "int32.gte_lte" },
      ],
      [
        { userId: "u", productId: "x".repeat(65), quantity: 1 },
        { path: "product_id", in: "path", rule: "string.resource_id" },
      ],
      // The user the gateway took from the token.
      [
        { userId: "no spaces", productId: "2", quantity: 1 },
        { path: "Authorization", in: "header", rule: "string.user_id" },
      ],
    ] as const;
    for (const [sent, named] of cases) {
      const gw = startTestGateway({
        services: (d) => ({
          cart: {
            ...d.cart,
            updateQuantity() {
              throw refusal({ ...sent });
            },
          },
        }),
      });
      const res = await gw.call("PUT", "/cart/items/2", { body: { quantity: 1 } });
      const problem = await problemOf(res);
      expect([res.status, problem.type]).toEqual([400, "https://checkout-saga.dev/problems/validation-error"]);
      expect(problem.errors).toEqual([expect.objectContaining(named)]);
      expect(problem.detail).toMatch(new RegExp(`^${named.path}: `));
    }
  });

  it("checks a bearer token's subject by the user id rule the services enforce", () => {
    const userId = ClaimCartLinesRequestSchema.fields.find((f) => f.name === "user_id")!;
    for (const value of [...samples(rulesOf(userId)), "a".repeat(128), "a".repeat(129), "alice@example.com"]) {
      expect(isUserId(String(value)), JSON.stringify(value)).toBe(serviceAccepts(userId, value));
    }
  });
});

const fieldKey = (f: DescField) => `${f.parent.typeName}.${f.name}`;
