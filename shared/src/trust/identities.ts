/** The gateway's identity: the one issuer of user assertions, and a caller of most services. */
export const GATEWAY = "gateway";

/**
 * The identity people call services with (`buf curl`, scripts): an operator. It may call every
 * method, counts as an admin, and still needs a user's assertion to act as that user.
 */
export const DEVELOPER = "developer";

/** Who can sign a service credential: a service of this system by its process name, the gateway, or a person. */
export type Identity = typeof GATEWAY | typeof DEVELOPER | `${string}-service`;

/**
 * The process serving an RPC service, which is the audience of a credential for it: the proto
 * package names it (`checkoutsaga.cart.v1.CartService` → `cart-service`), as it names the folder.
 */
export function serviceOfRpc(typeName: string): Identity {
  const name = /^checkoutsaga\.([a-z]+)\.v\d+\.\w+$/.exec(typeName)?.[1];
  if (!name) throw new Error(`${typeName} is not an RPC service of this system: no audience for its credential`);
  return `${name}-service`;
}
