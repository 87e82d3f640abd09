import { create } from "@bufbuild/protobuf";
import {
  type ShippingAddress as ShippingAddressMessage,
  ShippingAddressSchema,
} from "./gen/checkoutsaga/common/v1/common_pb.js";

/**
 * Where an order is shipped: given at checkout, carried unchanged in CheckoutCompleted and kept
 * on the order. Its field rules (common.proto) are checked when InitiateCheckout arrives;
 * everyone after takes it as given.
 */
export interface ShippingAddress {
  name: string;
  phone: string;
  postalCode: string;
  /** Prefecture or state. */
  region: string;
  city: string;
  line1: string;
  line2: string;
  /** ISO 3166-1 alpha-2. */
  country: string;
}

/** Field by field, so a stored document's extra keys never reach the wire. */
export const toShippingAddressProto = (a: ShippingAddress): ShippingAddressMessage =>
  create(ShippingAddressSchema, {
    name: a.name,
    phone: a.phone,
    postalCode: a.postalCode,
    region: a.region,
    city: a.city,
    line1: a.line1,
    line2: a.line2,
    country: a.country,
  });

/** An absent message (an event that carries none) reads as an empty address. */
export const fromShippingAddressProto = (m: ShippingAddressMessage | undefined): ShippingAddress => ({
  name: m?.name ?? "",
  phone: m?.phone ?? "",
  postalCode: m?.postalCode ?? "",
  region: m?.region ?? "",
  city: m?.city ?? "",
  line1: m?.line1 ?? "",
  line2: m?.line2 ?? "",
  country: m?.country ?? "",
});
