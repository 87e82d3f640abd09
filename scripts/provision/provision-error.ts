/**
 * A provisioning failure whose first line says what is missing or broken and how to get it;
 * later lines (if any) carry the tail of the tool's or server's output for the curious.
 */
export class ProvisionError extends Error {
  override name = "ProvisionError";
}
