import { type DescField, type DescMessage, type MessageInitShape, ScalarType } from "@bufbuild/protobuf";
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { GatewayEnv, RestPlace } from "../context.js";
import { fieldSchema, type ValueLocation } from "./rule-schemas.js";

/**
 * Where a route's inputs go in the RPC it calls: per REST location, REST name → the request
 * message's field (proto name). Body members and their nested members keep their proto names
 * (the REST API is snake_case, as the .proto files are).
 */
export interface RpcMapping {
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Record<string, string>;
  /** The body's component name in the document. */
  bodyName?: string;
  /** An example body (the document's, checked against the schema by the tests). */
  bodyExample?: Record<string, unknown>;
  /** An example per path parameter. */
  paramExamples?: Record<string, string>;
}

/** One REST input bound to an RPC field. */
export interface BoundField {
  in: RestPlace["in"];
  name: string;
  field: DescField;
}

/** The hono validator that fills each location, and the document's name for it. */
const locations = [
  { key: "params", target: "param", in: "path", where: "path" },
  { key: "query", target: "query", in: "query", where: "query" },
  { key: "headers", target: "header", in: "header", where: "header" },
  { key: "body", target: "json", in: "body", where: "body" },
] as const satisfies ReadonlyArray<{
  key: keyof RpcMapping;
  target: string;
  in: RestPlace["in"];
  where: ValueLocation;
}>;

/**
 * A route's request bound to the RPC request it becomes: the REST validation of each location
 * (zod, so also the document's parameters and body) generated from the RPC fields' rules, the
 * mapping back for the call, and from RPC field paths to REST ones for a service's refusal.
 */
export interface RpcBinding<Desc extends DescMessage> {
  readonly rpc: Desc;
  readonly fields: readonly BoundField[];
  readonly params?: StrictObject;
  readonly query?: StrictObject;
  readonly headers?: z.ZodObject<Shape>;
  readonly body?: z.ZodType;
  /** The body's component name in the document. */
  readonly bodyName?: string;
  /** The RPC request from what the route's validators accepted; remembers itself on the context for errors. */
  rpcRequest(c: Context<GatewayEnv>): MessageInitShape<Desc>;
  /** The REST place of an RPC field path (`shipping_address.phone`), or undefined when no REST input feeds it. */
  restPlace(rpcPath: string): RestPlace | undefined;
}

type Shape = Record<string, z.ZodType>;
type StrictObject = ReturnType<typeof z.strictObject<Shape>>;

/** The location schemas a mapping names, present in the type as they are at runtime. */
type BoundParts<M extends RpcMapping> = Required<
  Pick<RpcBinding<DescMessage>, Extract<keyof M, "params" | "query" | "headers" | "body">>
>;

/** Binds a route's inputs to `rpc`'s fields; throws at start-up for an unknown field or a rule REST cannot state. */
export function bindRpcRequest<Desc extends DescMessage, const M extends RpcMapping>(
  rpc: Desc,
  mapping: M,
): RpcBinding<Desc> & BoundParts<M> {
  const fields: BoundField[] = [];
  const schemas: { params?: StrictObject; query?: StrictObject; headers?: z.ZodObject<Shape>; body?: z.ZodType } = {};
  for (const loc of locations) {
    const names = mapping[loc.key] as Record<string, string> | undefined;
    if (!names) continue;
    const shape: Record<string, z.ZodType> = {};
    for (const [restName, protoName] of Object.entries(names)) {
      const field = rpc.fields.find((f) => f.name === protoName);
      if (!field) throw new Error(`${rpc.typeName} has no field ${protoName} (bound to ${loc.in} ${restName})`);
      fields.push({ in: loc.in, name: restName, field });
      let schema = fieldSchema(field, loc.where);
      if (loc.key === "params" || loc.key === "query" || loc.key === "headers") {
        const example = mapping.paramExamples?.[restName];
        schema = schema.openapi({ param: { name: restName, in: loc.in }, ...(example ? { example } : {}) });
      }
      shape[restName] = schema;
    }
    // Headers carry more than the route's own; everything else is exactly what the rules name.
    if (loc.key === "headers") schemas.headers = z.object(shape);
    else if (loc.key !== "body") schemas[loc.key] = z.strictObject(shape);
    else {
      const body = z.strictObject(shape);
      schemas.body = mapping.bodyName
        ? body.openapi(mapping.bodyName, mapping.bodyExample ? { example: mapping.bodyExample } : {})
        : body;
    }
  }

  const binding: RpcBinding<Desc> & BoundParts<M> = {
    rpc,
    fields,
    bodyName: mapping.bodyName,
    ...(schemas as BoundParts<M>),
    rpcRequest(c) {
      c.set("restPlaceOf", binding.restPlace);
      // The route's own validators filled these; the route's input type is not known here.
      const valid = (c.req as unknown as { valid(target: string): Record<string, unknown> }).valid.bind(c.req);
      const init: Record<string, unknown> = {};
      for (const loc of locations) {
        const bound = fields.filter((f) => f.in === loc.in);
        if (bound.length === 0) continue;
        const values = valid(loc.target);
        for (const { name, field } of bound) {
          const value = values[name];
          if (value !== undefined) init[field.localName] = toInit(value, field);
        }
      }
      return init as MessageInitShape<Desc>;
    },
    restPlace(rpcPath) {
      const [first, ...rest] = rpcPath.split(".");
      const bound = fields.find((f) => f.field.name === first);
      if (!bound) return undefined;
      return { in: bound.in, path: [bound.name, ...rest].join(".") };
    },
  };
  return binding;
}

/** A validated REST value as the init of a proto field: members by proto name, int64 as bigint. */
function toInit(value: unknown, field: DescField): unknown {
  if (field.fieldKind === "list") {
    if (field.listKind === "message") return (value as unknown[]).map((v) => messageInit(v, field.message));
    if (field.listKind === "scalar") return (value as unknown[]).map((v) => scalarInit(v, field.scalar));
  }
  if (field.fieldKind === "message") return messageInit(value, field.message);
  if (field.fieldKind === "scalar") return scalarInit(value, field.scalar);
  // The rules allowed only defined values' short names (field-rules.ts).
  if (field.fieldKind === "enum") return field.enum.values.find((v) => v.localName === value)?.number;
  throw new Error(`${field.parent.typeName}.${field.name}: a ${field.fieldKind} field has no REST form`);
}

function messageInit(value: unknown, message: DescMessage): Record<string, unknown> {
  const init: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    const field = message.fields.find((f) => f.name === name);
    if (field && v !== undefined) init[field.localName] = toInit(v, field);
  }
  return init;
}

const int64Types = new Set([ScalarType.INT64, ScalarType.UINT64, ScalarType.SINT64, ScalarType.FIXED64]);

const scalarInit = (value: unknown, scalar: ScalarType): unknown =>
  int64Types.has(scalar) ? BigInt(value as number) : value;
