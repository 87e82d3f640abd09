import { create, type DescField, getExtension, getOption } from "@bufbuild/protobuf";
import { field as fieldRulesOption, Ignore } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { createRequestValidator } from "@checkout-saga/shared";
import { ClaimCartLinesRequestSchema } from "@checkout-saga/shared/gen/checkoutsaga/cart/v1/cart_pb";
import { resource_id, user_id } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/rules_pb";
import { GetProductRequestSchema } from "@checkout-saga/shared/gen/checkoutsaga/product/v1/product_pb";
import { describe, expect, it } from "vitest";
import { fieldRule, PREDEFINED_STRING_RULES } from "../src/validation/field-rules.js";
import { fieldSchema } from "../src/validation/rule-schemas.js";

/*
 * A predefined id rule is CEL in rules.proto for the services and minLength, maxLength and
 * pattern in PREDEFINED_STRING_RULES for REST: two statements of one rule. They are held equal
 * by what they do: on values at every bound and for every printable ASCII character, the
 * services' validator, the gateway's zod and the document's keywords (read as a JSON Schema
 * validator reads them) accept exactly the same.
 */

const validator = createRequestValidator();

/** A request field carrying each rule alone, and what the rule lets through besides letters and digits. */
const RULES = [
  { extension: resource_id, field: GetProductRequestSchema.field.id, punctuation: "._:-" },
  { extension: user_id, field: ClaimCartLinesRequestSchema.field.userId, punctuation: "._@:|-" },
] as const;

/** The service's verdict on `value` in `field`: refused by the rule under test, or accepted. */
function serviceVerdict(field: DescField, value: string): "accepted" | string {
  const result = validator.validate(field.parent, create(field.parent, { [field.localName]: value } as never));
  if (result.kind === "error") throw result.error;
  const own = result.kind === "valid" ? [] : result.violations.filter((v) => v.field[0] === field);
  return own[0]?.ruleId ?? "accepted";
}

const codePoints = (s: string): number => [...s].length;

/** Values at and around the bounds, and each printable ASCII character, alone and between letters. */
function samples(maxLength: number): string[] {
  const ascii = Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i));
  return [
    "",
    "a",
    "Z9",
    "a".repeat(maxLength - 1),
    "a".repeat(maxLength),
    "a".repeat(maxLength + 1),
    ...ascii,
    ...ascii.map((ch) => `a${ch}b`),
    " a",
    "a ",
    "a\tb",
    "a\nb",
    "a\u0000b",
    "é",
    "東京",
    "Ａ",
    "a\u202Eb",
    "a\uD800",
    // 👍🏽 is two code points (four UTF-16 units): at the bound by code points, over it by units.
    `${"a".repeat(maxLength - 2)}👍🏽`,
    `${"a".repeat(maxLength - 3)}👍🏽`,
    "👍🏽",
  ];
}

describe("predefined id rules: the services' CEL and the gateway's REST form agree", () => {
  for (const { extension, field, punctuation } of RULES) {
    const name = extension.name as keyof typeof PREDEFINED_STRING_RULES;
    const keywords = PREDEFINED_STRING_RULES[name];

    it(`${name}: ${field.parent.typeName}.${field.name} carries the rule alone`, () => {
      const rules = getOption(field, fieldRulesOption);
      expect(rules.ignore).not.toBe(Ignore.IF_ZERO_VALUE);
      const stringRules = rules.type.case === "string" ? rules.type.value : undefined;
      expect(stringRules && getExtension(stringRules, extension)).toBe(true);
      expect(fieldRule(field)).toEqual({ spec: { kind: "string", ...keywords }, required: true });
    });

    it(`${name}: the services, the gateway's zod and the document's keywords accept the same values`, () => {
      const zod = fieldSchema(field, "body");
      const pattern = new RegExp(keywords.pattern, "u");
      const accepted: string[] = [];
      for (const value of samples(keywords.maxLength)) {
        const service = serviceVerdict(field, value);
        const where = `${name} ${JSON.stringify(value)}`;
        // A refusal names the predefined rule, which REST reports as the rule broken.
        expect(["accepted", `string.${name}`], where).toContain(service);
        expect(zod.safeParse(value).success, where).toBe(service === "accepted");
        const n = codePoints(value);
        const byKeywords = keywords.minLength <= n && n <= keywords.maxLength && pattern.test(value);
        expect(byKeywords, where).toBe(service === "accepted");
        if (service === "accepted") accepted.push(value);
      }
      // The samples reach both sides of every bound: the length bounds and each allowed character.
      expect(accepted).toContain("a".repeat(keywords.maxLength));
      expect(accepted).not.toContain("a".repeat(keywords.maxLength + 1));
      expect(accepted).not.toContain("");
      const allowedPunctuation = [...punctuation].filter((ch) => accepted.includes(`a${ch}b`));
      expect(allowedPunctuation.join("")).toBe(punctuation);
      const acceptedAscii = accepted.filter((v) => v.length === 1 && !/[A-Za-z0-9]/.test(v));
      expect(acceptedAscii.sort()).toEqual([...punctuation].sort());
    });
  }
});
