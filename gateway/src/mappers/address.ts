import type { ShippingAddress } from "@checkout-saga/shared/gen/checkoutsaga/common/v1/common_pb";

export interface AddressJson {
  name: string;
  phone: string;
  postal_code: string;
  region: string;
  city: string;
  line1: string;
  line2?: string;
  country: string;
}

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

export function addressProto(a: AddressJson): Omit<ShippingAddress, "$typeName"> {
  return {
    name: a.name,
    phone: a.phone,
    postalCode: a.postal_code,
    region: a.region,
    city: a.city,
    line1: a.line1,
    line2: a.line2 ?? "",
    country: a.country,
  };
}
