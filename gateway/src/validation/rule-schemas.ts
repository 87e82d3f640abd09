import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { z } from "@hono/zod-openapi";
import { docsOf, type FieldDocs } from "../openapi/field-docs.js";
import { type FieldRule, type FieldSpec, fieldName, fieldRule } from "./field-rules.js";

/*
 * The one generator from field rules to REST validation: each rule becomes a zod check and the
 * JSON Schema keyword the OpenAPI document states, side by side, so what the gateway refuses,
 * what the document says and what the services enforce cannot part.
 */

/** Where a REST value travels: JSON values keep their types, text (path, query, header) is parsed. */
export type ValueLocation = "body" | "path" | "query" | "header";

/**
 * Text as it may appear in a message: characters outside printable ASCII (the bidi controls a
 * pattern names, say) are written as \uXXXX escapes, so logs and screens show what is meant.
 */
export const printable = (text: string): string =>
  text.replace(/[^\x20-\x7e]/gu, (ch) => {
    const cp = ch.codePointAt(0) ?? 0;
    return cp > 0xffff
      ? `\\u{${cp.toString(16).toUpperCase()}}`
      : `\\u${cp.toString(16).toUpperCase().padStart(4, "0")}`;
  });

const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

/** Read by code point (the `u` flag), only a surrogate without its pair is one. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * A proto string: well-formed Unicode (it travels as UTF-8), lengths in characters, pattern and
 * set as the rules say. The pattern is read with the `u` flag, by code point as RE2 reads it,
 * and a construct only RE2 knows fails here at start-up; the document states its source.
 */
export function stringSchema(spec: Extract<FieldSpec, { kind: "string" }>): z.ZodType {
  if (spec.oneOf) return z.enum(spec.oneOf as [string, ...string[]]);
  const { minLength, maxLength, pattern } = spec;
  const regex = pattern === undefined ? undefined : new RegExp(pattern, "u");
  return z
    .string()
    .superRefine((value, ctx) => {
      if (LONE_SURROGATE.test(value)) {
        ctx.addIssue({ code: "custom", input: value, message: "must be well-formed Unicode (no lone surrogates)" });
      }
      const n = codePoints(value);
      if (minLength !== undefined && n < minLength) {
        ctx.addIssue({ code: "too_small", origin: "string", minimum: minLength, inclusive: true, input: value });
      }
      if (maxLength !== undefined && n > maxLength) {
        ctx.addIssue({ code: "too_big", origin: "string", maximum: maxLength, inclusive: true, input: value });
      }
      if (regex && pattern !== undefined && !regex.test(value)) {
        ctx.addIssue({
          code: "invalid_format",
          format: "regex",
          pattern,
          input: value,
          message: `must match the pattern ${printable(pattern)}`,
        });
      }
    })
    .openapi({ minLength, maxLength, pattern });
}

/** A JSON integer within the rule's bounds. */
const integerSchema = (spec: Extract<FieldSpec, { kind: "integer" }>) => z.int().min(spec.minimum).max(spec.maximum);

/**
 * An integer sent as text (path, query, header): plain digits, then the same bounds. "1e2",
 * " 5" and "0x10" are not integers a client meant.
 */
const integerTextSchema = (spec: Extract<FieldSpec, { kind: "integer" }>) =>
  z
    .string()
    .regex(/^-?[0-9]{1,16}$/, { error: `must be an integer between ${spec.minimum} and ${spec.maximum}` })
    .transform(Number)
    .pipe(integerSchema(spec))
    .openapi({ type: "integer", minimum: spec.minimum, maximum: spec.maximum });

/** A boolean sent as text (query, header): exactly `true` or `false`. */
const booleanTextSchema = () =>
  z
    .enum(["true", "false"], { error: "must be true or false" })
    .transform((text) => text === "true")
    .openapi({ type: "boolean" });

/** A value of the field's kind, checked by its rules; nested messages become named components. */
function valueSchema(spec: FieldSpec, where: ValueLocation): z.ZodType {
  switch (spec.kind) {
    case "string":
      return stringSchema(spec);
    case "integer":
      return where === "body" ? integerSchema(spec) : integerTextSchema(spec);
    case "boolean":
      return where === "body" ? z.boolean() : booleanTextSchema();
    case "enum":
      return z.enum(spec.values.map((v) => v.name) as [string, ...string[]]);
    case "message":
      if (where !== "body") throw new Error(`${spec.message.typeName} outside a JSON body has no REST form`);
      return messageSchema(spec.message);
    case "list": {
      if (where !== "body") throw new Error("a list outside a JSON body has no REST form here");
      let list = z.array(valueSchema(spec.items, where));
      if (spec.minItems !== undefined) list = list.min(spec.minItems);
      if (spec.maxItems !== undefined) list = list.max(spec.maxItems);
      return list;
    }
  }
}

/** One field as a REST member or parameter: its rules, optional unless they require it, and its docs. */
export function fieldSchema(field: DescField, where: ValueLocation, rule: FieldRule = fieldRule(field)): z.ZodType {
  const docs = docsOf(fieldName(field));
  const schema = valueSchema(rule.spec, where);
  const documented = Object.keys(docs).length > 0 ? schema.openapi(metadata(docs)) : schema;
  return rule.required ? documented : documented.optional();
}

/** Docs as zod-openapi metadata. */
const metadata = ({ description, example, default: byDefault }: FieldDocs) => ({
  ...(description === undefined ? {} : { description }),
  ...(example === undefined ? {} : { example }),
  ...(byDefault === undefined ? {} : { default: byDefault }),
});

const messageSchemas = new Map<string, z.ZodType>();

/** The request messages made into components so far, by component name (the tests check their examples). */
export const messageComponents = (): Record<string, z.ZodType> =>
  Object.fromEntries([...messageSchemas].map(([typeName, schema]) => [typeName.split(".").at(-1), schema]));

/**
 * A request message as a strict JSON object (unknown members refused) whose members are its
 * fields by their proto names (the REST API's snake_case), registered as a component named
 * after the message.
 */
export function messageSchema(message: DescMessage): z.ZodType {
  const known = messageSchemas.get(message.typeName);
  if (known) return known;
  const shape = Object.fromEntries(message.fields.map((f) => [f.name, fieldSchema(f, "body")]));
  const schema = z.strictObject(shape).openapi(message.name, metadata(docsOf(message.typeName)));
  messageSchemas.set(message.typeName, schema);
  return schema;
}
