import {
  type DescField,
  type DescMessage,
  getExtension,
  getOption,
  hasExtension,
  hasOption,
  type Message,
  ScalarType,
} from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import {
  type FieldRules,
  FieldRulesSchema,
  field as fieldRulesOption,
  Ignore,
  message as messageRulesOption,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { CURRENCY_CODES } from "@checkout-saga/shared";
import { iso4217_currency, resource_id, user_id } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/rules_pb";

/*
 * The request field rules the services enforce (buf.validate options in shared/proto), read
 * from the generated descriptors into what REST can state of them: JSON Schema keywords and
 * zod checks. A rule with no such counterpart (CEL, prefixes, well-known formats, …) on a field
 * the REST API exposes stops the gateway at start-up, rather than being silently left out of
 * the document and the gateway's own validation.
 */

/** What one field accepts, as REST states it. Lengths count characters (code points), as protovalidate does. */
export type FieldSpec =
  | { kind: "string"; minLength?: number; maxLength?: number; pattern?: string; oneOf?: string[] }
  | { kind: "integer"; minimum: number; maximum: number }
  | { kind: "boolean" }
  /** A proto enum, by its values' short names (`COMPLETED` for CHECKOUT_STATUS_COMPLETED); never its zero value. */
  | { kind: "enum"; values: Array<{ name: string; number: number }> }
  | { kind: "message"; message: DescMessage }
  | { kind: "list"; minItems?: number; maxItems?: number; items: FieldSpec };

export interface FieldRule {
  spec: FieldSpec;
  /**
   * Whether REST must send the field. Proto3 cannot tell an absent scalar from its zero value,
   * so a REST member may be left out exactly when the service accepts the zero value: when the
   * rules ignore it (IGNORE_IF_ZERO_VALUE) or let it pass. A message is required when marked so.
   */
  required: boolean;
}

/** `checkoutsaga.common.v1.ShippingAddress.phone`: how errors name a field. */
export const fieldName = (field: DescField): string => `${field.parent.typeName}.${field.name}`;

/**
 * Our predefined rules (shared/proto/checkoutsaga/common/v1/rules.proto), by the name they go by
 * here; they arrive as extensions of the rules message, which reflection does not list.
 */
const PREDEFINED_RULES = [
  { name: "iso4217_currency", extension: iso4217_currency },
  { name: "resource_id", extension: resource_id },
  { name: "user_id", extension: user_id },
] as const;

/**
 * The predefined string rules REST states as plain keywords: what their CEL in rules.proto
 * checks, written here once for the document and zod (gateway/test/predefined-rules.test.ts
 * keeps each equal to its CEL by behaviour).
 */
export const PREDEFINED_STRING_RULES = {
  resource_id: { minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9._:-]+$" },
  user_id: { minLength: 1, maxLength: 128, pattern: "^[A-Za-z0-9._@:|-]+$" },
} as const satisfies Record<string, { minLength: number; maxLength: number; pattern: string }>;

const isPredefinedStringRule = (name: string): name is keyof typeof PREDEFINED_STRING_RULES =>
  Object.hasOwn(PREDEFINED_STRING_RULES, name);

/** The rules a rules message sets, by rule name (`min_len`, `lte`, `items`, `iso4217_currency`, …). */
function setRules(rules: Message, refuse: (what: string) => never): Map<string, unknown> {
  const r = reflect(rulesSchemaOf(rules), rules);
  const out = new Map<string, unknown>();
  for (const f of r.fields) {
    if (!r.isSet(f)) continue;
    const value = r.get(f);
    // Reflection hands a nested rules message (repeated.items) back wrapped; the rules are inside.
    if (f.fieldKind === "message") out.set(f.name, (value as { message: Message }).message);
    else out.set(f.name, f.fieldKind === "list" ? [...(value as Iterable<unknown>)] : value);
  }
  const known = new Set<number>();
  for (const { name, extension } of PREDEFINED_RULES) {
    if (extension.extendee.typeName !== rules.$typeName) continue;
    known.add(extension.number);
    // The extendee matched above, so `rules` is the message this extension extends.
    const extended = rules as Parameters<typeof getExtension<typeof extension>>[0];
    if (hasExtension(extended, extension)) out.set(name, getExtension(extended, extension));
  }
  // Any other extension is a predefined rule no one taught REST: refuse rather than drop it.
  for (const u of rules.$unknown ?? []) if (!known.has(u.no)) refuse(`extension ${u.no} of ${rules.$typeName}`);
  return out;
}

/** The descriptor of a rules message: FieldRules, or a message its `type` oneof holds. */
function rulesSchemaOf(rules: Message): DescMessage {
  if (rules.$typeName === FieldRulesSchema.typeName) return FieldRulesSchema;
  const schema = FieldRulesSchema.fields.map((f) => f.message).find((m) => m?.typeName === rules.$typeName);
  if (!schema) throw new Error(`unknown rules message ${rules.$typeName}`);
  return schema;
}

/** What FieldRules may set besides its type's rules: everything else (cel, …) has no REST form. */
const FIELD_LEVEL_RULES = new Set([
  "required",
  "ignore",
  ...(FieldRulesSchema.oneofs.find((o) => o.name === "type")?.fields.map((f) => f.name) ?? []),
]);

/**
 * The rules of a field the REST API exposes. Throws, naming the field and the rule, when a rule
 * cannot be stated in JSON Schema and zod, so that no rule is enforced by the services alone.
 */
export function fieldRule(field: DescField): FieldRule {
  const rules = getOption(field, fieldRulesOption);
  const refuse = (what: string): never => {
    throw new Error(`${fieldName(field)}: the rule ${what} has no REST (JSON Schema and zod) counterpart`);
  };
  for (const name of setRules(rules, refuse).keys()) if (!FIELD_LEVEL_RULES.has(name)) refuse(name);
  if (rules.ignore === Ignore.ALWAYS) refuse("ignore: IGNORE_ALWAYS");
  const ignoreZero = rules.ignore === Ignore.IF_ZERO_VALUE;

  if (field.fieldKind === "list") {
    const r = typedRules(rules, "repeated", refuse);
    for (const name of r.keys()) if (!["min_items", "max_items", "items"].includes(name)) refuse(`repeated.${name}`);
    const minItems = num(r.get("min_items"));
    const items = r.get("items") as FieldRules | undefined;
    if (items && [...setRules(items, refuse).keys()].some((k) => k === "required" || k === "ignore" || k === "cel")) {
      refuse("repeated.items other than type rules");
    }
    let spec: FieldSpec;
    if (field.listKind === "message") {
      if (items) refuse("repeated.items on messages");
      spec = messageSpec(field.message, refuse);
    } else if (field.listKind === "scalar") {
      spec = scalarSpec(field.scalar, items, (what) => refuse(`repeated.items.${what}`));
    } else {
      spec = refuse("on a list of enums");
    }
    return {
      spec: { kind: "list", minItems, maxItems: num(r.get("max_items")), items: spec },
      required: !ignoreZero && (minItems ?? 0) > 0,
    };
  }
  if (field.fieldKind === "message") {
    if (rules.type.case !== undefined) refuse(rules.type.case);
    return { spec: messageSpec(field.message, refuse), required: rules.required };
  }
  if (field.fieldKind === "enum") {
    const spec = enumSpec(field, rules, refuse);
    return { spec, required: rules.required };
  }
  if (field.fieldKind !== "scalar") return refuse(`on a ${field.fieldKind} field`);
  if (rules.required) refuse("required on a scalar");
  const spec = scalarSpec(field.scalar, rules, refuse);
  return { spec, required: !ignoreZero && !acceptsZero(spec) };
}

function messageSpec(message: DescMessage, refuse: (what: string) => never): FieldSpec {
  if (hasOption(message, messageRulesOption)) refuse(`(buf.validate.message) on ${message.typeName}`);
  return { kind: "message", message };
}

/** The set rules of the type the field rules hold (`string`, `int32`, …), none when unset. */
function typedRules(rules: FieldRules, expected: string, refuse: (what: string) => never): Map<string, unknown> {
  if (rules.type.case === undefined) return new Map();
  if (rules.type.case !== expected) refuse(rules.type.case);
  return setRules(rules.type.value as Message, refuse);
}

const num = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));

/** The integer scalars REST sends as JSON numbers, by the name of their rules. */
const INTEGER_TYPES = new Map([
  [ScalarType.INT32, "int32"],
  [ScalarType.UINT32, "uint32"],
  [ScalarType.INT64, "int64"],
]);

/** The string rules REST can state. */
const STRING_RULES = [
  "min_len",
  "max_len",
  "len",
  "pattern",
  "in",
  "iso4217_currency",
  ...Object.keys(PREDEFINED_STRING_RULES),
];

function scalarSpec(scalar: ScalarType, rules: FieldRules | undefined, refuse: (what: string) => never): FieldSpec {
  const none = (): Map<string, unknown> => new Map();
  if (scalar === ScalarType.STRING) {
    const r = rules ? typedRules(rules, "string", refuse) : none();
    for (const name of r.keys()) if (!STRING_RULES.includes(name)) refuse(`string.${name}`);
    const predefined = [...r.keys()].filter(isPredefinedStringRule).find((name) => r.get(name) === true);
    if (predefined) {
      // Its keywords stand for the whole rule: a rule beside it would have to be merged into them.
      if (r.size > 1) refuse(`string.${predefined} beside other string rules`);
      return { kind: "string", ...PREDEFINED_STRING_RULES[predefined] };
    }
    const len = num(r.get("len"));
    const oneOf = r.get("in") as string[] | undefined;
    if (r.get("iso4217_currency") === true && oneOf !== undefined) refuse("string.in beside iso4217_currency");
    return {
      kind: "string",
      minLength: len ?? num(r.get("min_len")),
      maxLength: len ?? num(r.get("max_len")),
      pattern: r.get("pattern") as string | undefined,
      oneOf: r.get("iso4217_currency") === true ? [...CURRENCY_CODES] : oneOf,
    };
  }
  const integerType = INTEGER_TYPES.get(scalar);
  if (integerType) {
    const r = rules ? typedRules(rules, integerType, refuse) : none();
    for (const name of r.keys()) if (!["gte", "gt", "lte", "lt"].includes(name)) refuse(`${integerType}.${name}`);
    // Integers: an exclusive bound is the inclusive one next to it.
    const minimum = num(r.get("gte")) ?? (r.has("gt") ? Number(r.get("gt")) + 1 : undefined);
    const maximum = num(r.get("lte")) ?? (r.has("lt") ? Number(r.get("lt")) - 1 : undefined);
    if (minimum === undefined || maximum === undefined) return refuse("set (none): a REST integer states its bounds");
    // A JSON number is exact only up to 2^53 - 1: an int64 must be bounded within it.
    if (!Number.isSafeInteger(minimum) || !Number.isSafeInteger(maximum)) {
      return refuse(`${integerType} bounds beyond ±(2^53 - 1), which a JSON number cannot hold exactly`);
    }
    return { kind: "integer", minimum, maximum };
  }
  if (scalar === ScalarType.BOOL) {
    if (rules?.type.case !== undefined) refuse(rules?.type.case ?? "");
    return { kind: "boolean" };
  }
  return refuse(`on a ${ScalarType[scalar]} field`);
}

/**
 * An enum REST names by its values' short names (protobuf-es's localName: the enum's prefix
 * dropped). Only defined values can be named, so the rules must say `defined_only`; the zero
 * value (UNSPECIFIED) stands for "absent" and is not one of them: REST leaves the member out.
 */
function enumSpec(
  field: DescField & { fieldKind: "enum" },
  rules: FieldRules,
  refuse: (what: string) => never,
): FieldSpec {
  const r = typedRules(rules, "enum", refuse);
  for (const name of r.keys()) if (!["defined_only", "in", "not_in"].includes(name)) refuse(`enum.${name}`);
  if (r.get("defined_only") !== true)
    refuse("enum without defined_only: REST names values, it cannot send undefined numbers");
  const only = r.get("in") as number[] | undefined;
  const not = (r.get("not_in") as number[] | undefined) ?? [];
  const values = field.enum.values
    .filter((v) => v.number !== 0 && (only === undefined || only.includes(v.number)) && !not.includes(v.number))
    .map((v) => ({ name: v.localName, number: v.number }));
  return { kind: "enum", values };
}

/** Whether the field's zero value ("" / 0 / false) passes its rules: then REST may leave it out. */
function acceptsZero(spec: FieldSpec): boolean {
  switch (spec.kind) {
    case "string":
      return (
        (spec.minLength ?? 0) === 0 &&
        (spec.pattern === undefined || new RegExp(spec.pattern, "u").test("")) &&
        (spec.oneOf === undefined || spec.oneOf.includes(""))
      );
    case "integer":
      return spec.minimum <= 0 && 0 <= spec.maximum;
    default:
      return true;
  }
}
