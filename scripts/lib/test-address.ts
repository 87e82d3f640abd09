/** The shipping address the e2e scenario, the drills and the tracing test check out with. */
export const TEST_ADDRESS = {
  name: "Hanako Yamada",
  phone: "+81-3-1234-5678",
  postal_code: "100-0001",
  region: "Tokyo",
  city: "Chiyoda-ku",
  line1: "1-1 Chiyoda",
  country: "JP",
};
