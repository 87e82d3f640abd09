import { getOption } from "@bufbuild/protobuf";
import { field } from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { ListCancellationsRequestSchema } from "@checkout-saga/shared/gen/checkoutsaga/orders/v1/orders_pb";
import { describe, expect, it } from "vitest";
import { cancellationMachine } from "./cancellation-saga.js";

describe("the states operators filter cancellations by", () => {
  it("are exactly the saga's, as ListCancellationsRequest.status's field rule lists them", () => {
    const status = ListCancellationsRequestSchema.fields.find((f) => f.name === "status");
    const rules = status && getOption(status, field);
    const listed = rules?.type.case === "string" ? [...rules.type.value.in] : [];
    expect(listed.sort()).toEqual(cancellationMachine.states.map((s) => s.name).sort());
  });
});
