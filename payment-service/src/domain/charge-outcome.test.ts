import { describe, expect, it } from "vitest";
import { decideChargeOutcome } from "./charge-outcome.js";

const never = () => 0.5;

describe("decideChargeOutcome", () => {
  it.each(["tok_visa", "tok_mastercard"])("lets %s succeed", (token) => {
    expect(decideChargeOutcome(token, 0, never)).toEqual({ status: "SUCCEEDED" });
  });

  it.each([
    ["tok_chargeDeclined", "card_declined"],
    ["tok_insufficientFunds", "insufficient_funds"],
    ["tok_expiredCard", "expired_card"],
    ["tok_unknown", "invalid_token"],
    ["toString", "invalid_token"],
  ])("declines %s with %s", (token, declineCode) => {
    const outcome = decideChargeOutcome(token, 0, never);
    expect(outcome).toMatchObject({ status: "DECLINED", declineCode });
    expect(outcome.status === "DECLINED" && outcome.declineMessage).toBeTruthy();
  });

  it("fails with processing_error when the draw falls below the failure rate", () => {
    expect(decideChargeOutcome("tok_visa", 0.5, () => 0.49)).toMatchObject({
      status: "DECLINED",
      declineCode: "processing_error",
    });
  });

  it("lets the token decide when the draw is at or above the failure rate", () => {
    expect(decideChargeOutcome("tok_visa", 0.5, () => 0.5)).toEqual({ status: "SUCCEEDED" });
  });

  it("never fails at rate 0 and always fails at rate 1", () => {
    expect(decideChargeOutcome("tok_visa", 0, () => 0)).toEqual({ status: "SUCCEEDED" });
    expect(decideChargeOutcome("tok_visa", 1, () => 0.999_999)).toMatchObject({ declineCode: "processing_error" });
  });
});
