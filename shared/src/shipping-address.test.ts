import { describe, expect, it } from "vitest";
import { fromShippingAddressProto, type ShippingAddress, toShippingAddressProto } from "./shipping-address.js";

const address: ShippingAddress = {
  name: "Hanako Yamada",
  phone: "+81-3-1234-5678",
  postalCode: "100-0001",
  region: "Tokyo",
  city: "Chiyoda-ku",
  line1: "1-1 Chiyoda",
  line2: "",
  country: "JP",
};

describe("shipping address mappers", () => {
  it("round-trip every field", () => {
    expect(fromShippingAddressProto(toShippingAddressProto(address))).toEqual(address);
  });

  it("carry only the model's fields, whatever a stored document adds", () => {
    const stored = { ...address, legacyNote: "ring twice" } as ShippingAddress;
    expect(fromShippingAddressProto(toShippingAddressProto(stored))).toEqual(address);
  });

  it("read an absent message as an empty address", () => {
    expect(Object.values(fromShippingAddressProto(undefined)).every((v) => v === "")).toBe(true);
  });
});
