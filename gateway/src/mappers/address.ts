import type { ShippingAddress } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";
import type { AddressJson } from "../openapi/schemas.js";

export function addressJson(a: ShippingAddress): AddressJson {
  return {
    name: a.name,
    phone: a.phone,
    postal_code: a.postalCode,
    region: a.region,
    city: a.city,
    line1: a.line1,
    ...(a.line2 ? { line2: a.line2 } : {}),
    country: a.country,
  };
}
