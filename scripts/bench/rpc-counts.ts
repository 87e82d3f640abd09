/** RPCs answered, by `rpc_service/rpc_method`. */
export type RpcCounts = Map<string, number>;

const RPC_COUNT_SERIES = "checkout_saga_rpc_server_duration_seconds_count{";

/** Scrapes every /metrics URL (Prometheus text) and sums the RPC duration histograms' counts, over result codes and services. */
export async function rpcCounts(metricsUrls: string[]): Promise<RpcCounts> {
  const counts: RpcCounts = new Map();
  for (const url of metricsUrls) {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    for (const line of (await res.text()).split("\n")) {
      if (!line.startsWith(RPC_COUNT_SERIES)) continue;
      const labels = line.slice(RPC_COUNT_SERIES.length, line.lastIndexOf("}"));
      const label = (name: string) => new RegExp(`(?:^|,)${name}="([^"]*)"`).exec(labels)?.[1] ?? "?";
      const key = `${label("rpc_service")}/${label("rpc_method")}`;
      counts.set(key, (counts.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
    }
  }
  return counts;
}
