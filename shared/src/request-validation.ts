import { create, createRegistry } from "@bufbuild/protobuf";
import { pathToString } from "@bufbuild/protobuf/reflect";
import { createValidator, ValidationError, type Validator } from "@bufbuild/protovalidate";
import { ConnectError, type Interceptor } from "@connectrpc/connect";
import { createValidateInterceptor } from "@connectrpc/validate";
import { ErrorDetailSchema } from "./gen/checkoutsaga/common/v1/common_pb.js";
import { file_checkoutsaga_common_v1_rules } from "./gen/checkoutsaga/common/v1/rules_pb.js";

/**
 * Every request a service answers is checked against the field rules its .proto states
 * (`buf.validate`) before a handler sees it, so handlers and domain code take well-formed
 * input as given. A violation is INVALID_ARGUMENT carrying protovalidate's `Violations` (every
 * field at fault, with the rule it broke) and, like every error of ours, an ErrorDetail: reason
 * INVALID_ARGUMENT, metadata `field` and `rule` of the first violation.
 */
export function requestValidation(): Interceptor {
  const validate = createValidateInterceptor({ validator: createRequestValidator() });
  return (next) => {
    const validated = validate(next);
    return async (req) => {
      try {
        return await validated(req);
      } catch (err) {
        if (err instanceof ConnectError && err.cause instanceof ValidationError) {
          const first = err.cause.violations[0];
          err.details.push({
            desc: ErrorDetailSchema,
            value: create(ErrorDetailSchema, {
              reason: "INVALID_ARGUMENT",
              metadata: first ? { field: pathToString(first.field), rule: first.ruleId } : {},
            }),
          });
        }
        throw err;
      }
    };
  };
}

/** The validator of our requests: protovalidate, told our predefined rules (common/v1/rules.proto). */
export function createRequestValidator(): Validator {
  return createValidator({ registry: createRegistry(file_checkoutsaga_common_v1_rules) });
}
