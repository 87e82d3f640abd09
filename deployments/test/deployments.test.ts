/**
 * Keeps deployments/ true to the code. Every environment variable a service reads is found by
 * scanning its source. The test then checks that each one is set for that service's container
 * in docker-compose.yml and in the kustomize base, and that nothing is set there that the
 * service never reads (a misspelt name silently keeps its default). Names, ports, databases
 * and topics come from scripts/stack/topology.ts, the table `npm run stack` runs.
 *
 * No YAML parser is a declared dependency (one present as a transitive dependency would be an
 * accident of the lockfile), so the files are read line by line. They keep the layout their
 * headers describe: compose variables are `NAME: value` lines under each service's
 * `environment:`; a k8s env entry is `- name:` with a `value:` or a one-line key reference. A line inside those blocks
 * that this reader does not understand fails the test instead of being skipped.
 */
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DATABASES, databaseRole, SERVICES, TOPICS } from "../../scripts/stack/topology.js";
import {
  compose,
  configMaps,
  deploymentsDir,
  find,
  k8sBaseDir,
  manifests,
  read,
  repoRoot,
  resources,
  secrets,
} from "./deployment-files.js";

/**
 * Variables a service reads that its containers deliberately leave at the code's default.
 * Keep this list short, with the reason next to each entry.
 */
const KEEP_DEFAULT: Record<string, Record<string, string>> = {
  "product-service": {
    PRODUCT_DATABASE_PATH: "embedded mode's SQLite file; in containers the catalog lives in PostgreSQL",
  },
  "cart-service": {
    CART_DATABASE_PATH: "embedded mode's SQLite file; in containers carts live in MongoDB (MONGODB_URI)",
    CART_CONSUMER_DELAY_MS:
      "a drill knob slowing the checkout-events consumer (scripts/drills/double-purchase.test.ts)",
  },
  "checkout-service": {
    CHECKOUT_CRASH_AT: "a fault-injection hook for the crash-recovery tests; never set in a deployment",
  },
  "orders-service": {
    ORDERS_CRASH_AT: "a fault-injection hook for the cancellation crash tests; never set in a deployment",
  },
  "payment-service": {
    GATEWAY_PORT: "only builds PAYMENT_WEBHOOK_URL's default for one machine; containers set the URL",
    AUTH_DEV_TOKENS:
      "only lets PAYMENT_WEBHOOK_SECRET fall back to the dev secret; containers set the secret, so dev mode stays off",
  },
};

/** Read by every service (shared/src/logger.ts) and rightly left to their defaults in a container. */
const KEEP_DEFAULT_EVERYWHERE: Record<string, string> = {
  LOG_FORMAT: "unset means JSON wherever stdout is no terminal, as in a container",
  NODE_ENV: "set by the image itself (deployments/Dockerfile: ENV NODE_ENV=production)",
};

/** Read by the image's entrypoint and healthcheck (deployments/container/), not by a service. */
const IMAGE_VARIABLES = new Set(["SERVICE"]);

// ---------------------------------------------------------------------------------------------
// What the services read

const READER_METHOD = "(?:string|optionalString|int|number|bool|msRange)";
const ENV_NAME = "([A-Z][A-Z0-9_]*)";
const QUOTED_ENV_NAME = `["'\`]${ENV_NAME}["'\`]`;
const IDENTIFIER = "[A-Za-z_$][\\w$]*";

interface EnvScan {
  names: Set<string>;
  /** Reads whose variable name this scanner cannot see (a computed name); must stay empty. */
  unresolved: string[];
}

/**
 * The environment variables a source text reads: envReader calls with a literal name
 * (`e.int("CART_PORT", ...)`, `envReader(env).optionalString("KAFKA_BROKERS")`), calls of a local
 * helper that passes its first parameter to one (`url("CART_URL", port)` where
 * `const url = (name, port) => e.string(name, ...)`), and direct `env.NAME` / `env["NAME"]`.
 */
function scanEnvReads(source: string): EnvScan {
  const names = new Set<string>();
  const unresolved: string[] = [];
  const collect = (pattern: string) => {
    for (const m of source.matchAll(new RegExp(pattern, "g"))) names.add(m[1]!);
  };
  collect(`\\.${READER_METHOD}\\(\\s*${QUOTED_ENV_NAME}`);
  collect(`\\benv\\.${ENV_NAME}\\b`);
  collect(`\\benv\\[\\s*${QUOTED_ENV_NAME}\\s*\\]`);
  for (const m of source.matchAll(new RegExp(`\\.${READER_METHOD}\\(\\s*(${IDENTIFIER})\\s*[,)]`, "g"))) {
    const param = m[1]!;
    const definitions = new RegExp(
      `(?:(?:const|let)\\s+(${IDENTIFIER})\\s*=\\s*(?:async\\s*)?\\(|function\\s+(${IDENTIFIER})\\s*\\()\\s*${param.replace(/\$/g, "\\$")}\\b`,
      "g",
    );
    const helpers = [...source.matchAll(definitions)].map((d) => d[1] ?? d[2]!);
    if (helpers.length === 0) unresolved.push(m[0]);
    for (const helper of helpers) collect(`\\b${helper.replace(/\$/g, "\\$")}\\(\\s*${QUOTED_ENV_NAME}`);
  }
  for (const m of source.matchAll(/\benv\[\s*(?!["'`])[^\]]*\]/g)) unresolved.push(m[0]);
  return { names, unresolved };
}

/** Source files that run in a container: no tests, test support or generated code. */
function runtimeSources(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const file = path.join(dir, entry);
    if (statSync(file).isDirectory()) return ["gen", "testing"].includes(entry) ? [] : runtimeSources(file);
    return entry.endsWith(".ts") && !entry.endsWith(".test.ts") && entry !== "testing.ts" ? [file] : [];
  });
}

const sharedSrc = path.join(repoRoot, "shared/src");

/** The files a source imports by relative path (`./x.js`, `../y/z.js`), as .ts paths. */
function relativeImports(file: string): string[] {
  const specifiers = read(file).matchAll(/(?:from|import)\s*["'](\.{1,2}\/[^"']+)\.js["']/g);
  return [...specifiers].map((m) => path.resolve(path.dirname(file), `${m[1]}.ts`));
}

/** The name an export or import specifier (`type A`, `a as b`) is known by on its far side. */
const exportedAs = (specifier: string) =>
  specifier
    .replace(/^\s*type\s+/, "")
    .replace(/^.*\s+as\s+/, "")
    .trim();

/**
 * Where each name the shared barrel exports is defined, following `export * from` through the
 * nested barrels (trust/, saga/, …); what a file exports is read off its `export` declarations.
 */
function exportedNames(barrel: string, into = new Map<string, string>()): Map<string, string> {
  const source = read(barrel);
  for (const m of source.matchAll(/^export \* from ["'](\.{1,2}\/[^"']+)\.js["'];/gm)) {
    exportedNames(path.resolve(path.dirname(barrel), `${m[1]}.ts`), into);
  }
  // `export { a, type B, c as d } [from "…"]`: from a relative file, defined there; else here.
  for (const m of source.matchAll(/^export (?:type )?\{([^}]*)\}(?: from ["']([^"']+)["'])?;/gm)) {
    const from = m[2]?.startsWith(".") ? path.resolve(path.dirname(barrel), m[2].replace(/\.js$/, ".ts")) : barrel;
    for (const name of m[1]!.split(",")) into.set(exportedAs(name), from);
  }
  const declared =
    /^export (?:declare )?(?:async )?(?:function\*?|const|let|class|interface|type|enum|abstract class) ([A-Za-z_$][\w$]*)/gm;
  for (const m of source.matchAll(declared)) into.set(m[1]!, barrel);
  return into;
}
const sharedExports = exportedNames(path.join(sharedSrc, "index.ts"));

/** The names a source imports from shared's runtime barrel (`@checkout-saga/shared`). */
function sharedImports(file: string): string[] {
  const imports = read(file).matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+["']@checkout-saga\/shared["']/g);
  return [...imports].flatMap((m) =>
    m[1]!
      .split(",")
      .map((name) =>
        name
          .replace(/^\s*type\s+/, "")
          .replace(/\s+as\s+.*$/, "")
          .trim(),
      )
      .filter(Boolean),
  );
}

/**
 * The shared files a service runs: those defining what it imports from shared, and everything
 * they import in turn. A variable read in shared code is read by the services that reach it
 * (PAYMENT_WEBHOOK_SECRET by gateway and payment-service only). shared/src/config.ts is the
 * reader itself: the names it mentions are examples, not reads.
 */
function sharedSourcesOf(serviceFiles: string[]): string[] {
  const reached = new Set<string>();
  const visit = (file: string) => {
    if (reached.has(file) || !file.startsWith(sharedSrc) || file.endsWith(".test.ts")) return;
    reached.add(file);
    for (const next of relativeImports(file)) visit(next);
  };
  for (const file of serviceFiles) {
    for (const name of sharedImports(file)) {
      const definedIn = sharedExports.get(name);
      if (!definedIn) throw new Error(`${path.relative(repoRoot, file)} imports ${name}, which shared does not export`);
      visit(definedIn);
    }
  }
  reached.delete(path.join(sharedSrc, "config.ts"));
  return [...reached];
}

function serviceEnvReads(service: string): EnvScan {
  const result: EnvScan = { names: new Set(), unresolved: [] };
  const own = runtimeSources(path.join(repoRoot, service, "src"));
  for (const file of [...own, ...sharedSourcesOf(own)]) {
    const scan = scanEnvReads(read(file));
    for (const name of scan.names) result.names.add(name);
    result.unresolved.push(...scan.unresolved.map((u) => `${path.relative(repoRoot, file)}: ${u}`));
  }
  return result;
}

const reads = new Map(SERVICES.map((s) => [s.name, serviceEnvReads(s.name)]));

/** What a service's container must set: everything it reads, less what keeps its default. */
function required(service: string): string[] {
  const keep = KEEP_DEFAULT[service] ?? {};
  return [...reads.get(service)!.names].filter((n) => !(n in keep) && !(n in KEEP_DEFAULT_EVERYWHERE)).sort();
}

/** What a service's container sets without the service reading it. */
function unread(service: string, set: Iterable<string>): string[] {
  return [...set].filter((n) => !reads.get(service)!.names.has(n) && !IMAGE_VARIABLES.has(n)).sort();
}

const shortName = (service: string) => service.replace(/-service$/, "").toUpperCase();
const expectedUrls = new Map(SERVICES.map((s) => [`${shortName(s.name)}_URL`, `http://${s.name}:${s.port}`]));
const databaseOf = (variable: string) => /^([A-Z]+)_DATABASE_URL$/.exec(variable)?.[1]?.toLowerCase();

describe("the env scanner", () => {
  it("counts a variable read in shared code for the services that reach that code, and only those", () => {
    const readers = SERVICES.filter((s) => reads.get(s.name)!.names.has("PAYMENT_WEBHOOK_SECRET")).map((s) => s.name);
    expect(readers.sort()).toEqual(["gateway", "payment-service"]);
    const kafkaClients = SERVICES.filter((s) => reads.get(s.name)!.names.has("KAFKA_USERNAME")).map((s) => s.name);
    expect(kafkaClients.sort()).toEqual(["cart-service", "checkout-service", "orders-service", "payment-service"]);
    // Read in shared code every service starts through.
    for (const s of SERVICES) expect(reads.get(s.name)!.names, s.name).toContain("RPC_CREDENTIALS");
  });

  it("finds reads in every form the services use and reports those it cannot follow", () => {
    const source = [
      "const e = envReader(env);",
      'e.string("A_URL", "x"); e.int("B_PORT", 1, { min: 0 }); e.bool(\'C_FLAG\', false);',
      'e.number("D_RATE", 0); e.msRange("E_MS", "0"); envReader(env).optionalString("F_LIST");',
      "const url = (name: string, fallback: string) => e.string(name, fallback);",
      'url("G_URL", "x");',
      'createLogger("x", { level: process.env.H_LEVEL }); const dir = process.env["I_DIR"];',
      "e.string(computed); const v = env[key];",
    ].join("\n");
    const scan = scanEnvReads(source);
    expect([...scan.names].sort()).toEqual(
      ["A_URL", "B_PORT", "C_FLAG", "D_RATE", "E_MS", "F_LIST", "G_URL", "H_LEVEL", "I_DIR"].sort(),
    );
    expect(scan.unresolved).toEqual([".string(computed)", "env[key]"]);
  });

  it("deploys exactly the services of the workspace, as the stack topology lists them", () => {
    const workspaces = (JSON.parse(read(path.join(repoRoot, "package.json"))) as { workspaces: string[] }).workspaces;
    expect(SERVICES.map((s) => s.name).sort()).toEqual(workspaces.filter((w) => w !== "shared").sort());
  });

  it.each(SERVICES)("sees $name read its port and log level, and every name it reads", (service) => {
    const scan = reads.get(service.name)!;
    expect(scan.unresolved).toEqual([]);
    expect([...scan.names]).toEqual(expect.arrayContaining([service.portVar, "LOG_LEVEL"]));
  });

  it("finds a plausible number of variables across the system", () => {
    const all = new Set(SERVICES.flatMap((s) => [...reads.get(s.name)!.names]));
    expect(all.size).toBeGreaterThanOrEqual(30);
    expect([...all]).toEqual(
      expect.arrayContaining(["JWT_SECRET", "AUTH_DEV_TOKENS", "PAYMENT_LATENCY_MS", "SAGA_STEP_MODE"]),
    );
  });

  it("keeps the allow-lists to services that exist", () => {
    const names = SERVICES.map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(Object.keys(KEEP_DEFAULT)));
  });
});

// ---------------------------------------------------------------------------------------------
// docker-compose.yml

describe("docker-compose.yml", () => {
  it.each(SERVICES)("runs $name from the one image with every variable it reads", (service) => {
    const container = compose.get(service.name);
    expect(container, `no compose service "${service.name}"`).toBeDefined();
    expect(container!.lines).toContain("    <<: *service");
    const env = container!.environment;
    expect(env.get("SERVICE")).toBe(service.name);
    expect(env.get(service.portVar)).toBe(String(service.port));
    expect(container!.lines).toContain(`      - "127.0.0.1:${service.port}:${service.port}"`);
    expect(env.get(service.adminPortVar), "admin port (health, metrics)").toBe(String(service.adminPort));
    const missing = required(service.name).filter((n) => !env.has(n));
    expect(missing, `${service.name} reads these, compose does not set them`).toEqual([]);
    expect(unread(service.name, env.keys()), `${service.name} never reads these`).toEqual([]);
  });

  it.each(SERVICES)("starts $name after what it needs is healthy", (service) => {
    const dependsOn = compose.get(service.name)!.dependsOn;
    for (const after of service.after)
      expect(dependsOn.get(after), `${service.name} → ${after}`).toBe("service_healthy");
    const env = compose.get(service.name)!.environment;
    const servers: [boolean, string, string][] = [
      [[...env.keys()].some((n) => n.endsWith("_DATABASE_URL")), "postgres", "service_healthy"],
      [env.has("KAFKA_BROKERS"), "kafka-setup", "service_completed_successfully"],
      [env.has("MONGODB_URI"), "mongo", "service_healthy"],
      [env.has("REDIS_URL"), "redis", "service_healthy"],
    ];
    for (const [uses, server, condition] of servers) {
      if (uses) expect(dependsOn.get(server), `${service.name} → ${server}`).toBe(condition);
    }
  });

  it("wires services and databases by compose service name", () => {
    for (const service of SERVICES) {
      for (const [name, value] of compose.get(service.name)!.environment) {
        if (expectedUrls.has(name)) expect(value, `${service.name} ${name}`).toBe(expectedUrls.get(name));
        const database = databaseOf(name);
        if (database) expect(value, `${service.name} ${name}`).toMatch(new RegExp(`@postgres:5432/${database}$`));
        if (name === "KAFKA_BROKERS") expect(value).toBe("kafka:9092");
      }
    }
  });

  it("creates every database, owned by its role, and every topic the services use; Kafka never auto-creates", () => {
    const init = readdirSync(path.join(deploymentsDir, "postgres-init"))
      .map((f) => read(path.join(deploymentsDir, "postgres-init", f)))
      .join("\n");
    for (const database of DATABASES) {
      const role = databaseRole(database);
      expect(init).toContain(`CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE`);
      expect(init).toContain(`CREATE DATABASE ${database} OWNER ${role};`);
      expect(init).toContain(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC;`);
    }
    const topicInit = compose.get("kafka-setup")!.lines.join("\n");
    for (const { topic, partitions } of TOPICS) {
      expect(topicInit).toMatch(new RegExp(`--topic ${topic.replace(/\./g, "\\.")} --partitions ${partitions}\\b`));
    }
    expect(compose.get("kafka")!.lines).toContain("        auto.create.topics.enable=false");
  });
});

// ---------------------------------------------------------------------------------------------
// k8s/base (kustomize)

describe("k8s/base", () => {
  it("lists every manifest of the folder as a resource", () => {
    const files = readdirSync(k8sBaseDir).filter((f) => f.endsWith(".yaml") && f !== "kustomization.yaml");
    expect(resources.sort()).toEqual(files.sort());
  });

  it.each(SERVICES)("runs $name as a Deployment with every variable it reads", (service) => {
    const deployment = find("Deployment", service.name);
    expect(deployment, `no Deployment "${service.name}"`).toBeDefined();
    const { env, text } = deployment!;
    expect(text).toMatch(/^\s+image: checkout-saga$/m);
    expect(env.get("SERVICE")).toEqual({ from: "value", value: service.name });
    expect(env.get(service.portVar)).toEqual({ from: "value", value: String(service.port) });
    expect(text).toContain(`containerPort: ${service.port} }`);
    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) expect(text).toContain(`${probe}:`);
    // HTTP probes on the port serving /health (the admin port; the gateway's own port).
    expect(env.get(service.adminPortVar)).toEqual({ from: "value", value: String(service.adminPort) });
    const probePort = service.adminPortVar === service.portVar ? "http" : "admin";
    if (probePort === "admin") expect(text).toContain(`{ name: admin, containerPort: ${service.adminPort} }`);
    expect(text).toContain(`readinessProbe:\n            httpGet: { path: /health/ready, port: ${probePort} }`);
    expect(text).toContain(`livenessProbe:\n            httpGet: { path: /health/live, port: ${probePort} }`);
    expect(text).not.toContain("tcpSocket");
    expect(text).toMatch(/requests: \{ cpu: \S+, memory: \S+ \}/);
    expect(text).toMatch(/limits: \{ cpu: \S+, memory: \S+ \}/);
    const missing = required(service.name).filter((n) => !env.has(n));
    expect(missing, `${service.name} reads these, its Deployment does not set them`).toEqual([]);
    expect(unread(service.name, env.keys()), `${service.name} never reads these`).toEqual([]);
    expect(find("Service", service.name)?.text).toContain(`port: ${service.port},`);
  });

  it("takes every referenced key from the generated ConfigMap or Secret, and every key is used", () => {
    const used = new Set<string>();
    for (const deployment of manifests.filter((m) => m.kind === "Deployment")) {
      for (const [name, source] of deployment.env) {
        if (source.from === "value") continue;
        const store = (source.from === "configMapKeyRef" ? configMaps : secrets).get(source.name);
        expect(store, `${deployment.name} ${name}: no generated ${source.from} "${source.name}"`).toBeDefined();
        expect(store!.has(source.key), `${deployment.name} ${name}: no key ${source.key}`).toBe(true);
        used.add(`${source.name}/${source.key}`);
      }
    }
    const keys = [...configMaps, ...secrets].flatMap(([name, entries]) =>
      [...entries.keys()].map((k) => `${name}/${k}`),
    );
    expect(keys.filter((k) => !used.has(k)).sort(), "keys no Deployment uses").toEqual([]);
  });

  it("keeps secrets in the Secret and wires services by Service name", () => {
    const secretKeys = new Set([...secrets.values()].flatMap((s) => [...s.keys()]));
    for (const name of [...secretKeys])
      expect(name).toMatch(
        /^(JWT_SECRET|PAYMENT_WEBHOOK_SECRET|[A-Z]+_DATABASE_URL|MONGODB_URI|[A-Z]+_REDIS_URL|[A-Z]+_KAFKA_PASSWORD)$/,
      );
    expect(secretKeys).toContain("JWT_SECRET");
    for (const [name, value] of [...configMaps.values(), ...secrets.values()].flatMap((m) => [...m])) {
      if (expectedUrls.has(name)) expect(value, name).toBe(expectedUrls.get(name));
      const database = databaseOf(name);
      if (database) expect(value, name).toMatch(new RegExp(`/${database}(\\?|$)`));
    }
  });

  it("guards the checkout and gateway pods with PodDisruptionBudgets", () => {
    for (const name of ["checkout-service", "gateway"]) {
      expect(find("PodDisruptionBudget", name)?.text, name).toContain(`app.kubernetes.io/name: ${name} }`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Dockerfile

describe("Dockerfile", () => {
  it("installs with every workspace's manifest in place", () => {
    const dockerfile = read(path.join(deploymentsDir, "Dockerfile"));
    const install = dockerfile.slice(0, dockerfile.indexOf("npm ci"));
    const workspaces = (JSON.parse(read(path.join(repoRoot, "package.json"))) as { workspaces: string[] }).workspaces;
    for (const w of workspaces) expect(install).toContain(`COPY ${w}/package.json ${w}/`);
    expect(install).toContain("COPY package.json package-lock.json ./");
  });
});
