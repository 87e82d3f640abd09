import { describe, expect, it } from "vitest";
import { decideChargeOutcome } from "./charge-outcome.js";

const never = () => 0.5;
const card = (token: string) => ({ type: "card", token });
const konbini = { type: "konbini", token: "" };

describe("decideChargeOutcome", () => {
  it.each(["tok_visa", "tok_mastercard"])("lets %s succeed", (token) => {
    expect(decideChargeOutcome(card(token), 0, never)).toEqual({ status: "SUCCEEDED" });
  });

  it.each([
    ["tok_chargeDeclined", "card_declined"],
    ["tok_insufficientFunds", "insufficient_funds"],
    ["tok_expiredCard", "expired_card"],
    ["tok_unknown", "invalid_token"],
    ["toString", "invalid_token"],
  ])("declines %s with %s", (token, declineCode) => {
    const outcome = decideChargeOutcome(card(token), 0, never);
    expect(outcome).toMatchObject({ status: "DECLINED", declineCode });
    expect(outcome.status === "DECLINED" && outcome.declineMessage).toBeTruthy();
  });

  it("fails with processing_error when the draw falls below the failure rate", () => {
    expect(decideChargeOutcome(card("tok_visa"), 0.5, () => 0.49)).toMatchObject({
      status: "DECLINED",
      declineCode: "processing_error",
    });
  });

  it("lets the token decide when the draw is at or above the failure rate", () => {
    expect(decideChargeOutcome(card("tok_visa"), 0.5, () => 0.5)).toEqual({ status: "SUCCEEDED" });
  });

  it("leaves konbini PENDING: the customer pays later, at the store", () => {
    expect(decideChargeOutcome(konbini, 0, never)).toEqual({ status: "PENDING" });
  });

  it("fails konbini with processing_error too when the draw falls below the failure rate", () => {
    expect(decideChargeOutcome(konbini, 0.5, () => 0.49)).toMatchObject({ declineCode: "processing_error" });
  });

  it("never fails at rate 0 and always fails at rate 1", () => {
    expect(decideChargeOutcome(card("tok_visa"), 0, () => 0)).toEqual({ status: "SUCCEEDED" });
    expect(decideChargeOutcome(card("tok_visa"), 1, () => 0.999_999)).toMatchObject({
      declineCode: "processing_error",
    });
  });
});
