import { isKnownCurrency } from "./money.js";

/** A bad or missing setting: start-up stops with a message naming the variable. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

type Env = Record<string, string | undefined>;

/**
 * Typed readers over an environment. Only each service's config.ts calls this (with
 * process.env); everything else receives the parsed config object.
 */
export function envReader(env: Env) {
  const raw = (name: string) => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? undefined : v.trim();
  };
  return {
    string(name: string, fallback?: string): string {
      const v = raw(name) ?? fallback;
      if (v === undefined) throw new ConfigError(`${name} is required`);
      return v;
    },
    optionalString(name: string): string | undefined {
      return raw(name);
    },
    int(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
      const v = raw(name);
      if (v === undefined) return fallback;
      if (!/^-?\d+$/.test(v)) throw new ConfigError(`${name} must be an integer, got "${v}"`);
      const n = Number(v);
      if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
        throw new ConfigError(`${name} must be within ${range.min ?? "-∞"}..${range.max ?? "∞"}, got ${n}`);
      }
      return n;
    },
    number(name: string, fallback: number, range: { min?: number; max?: number } = {}): number {
      const v = raw(name);
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isFinite(n)) throw new ConfigError(`${name} must be a number, got "${v}"`);
      if ((range.min !== undefined && n < range.min) || (range.max !== undefined && n > range.max)) {
        throw new ConfigError(`${name} must be within ${range.min ?? "-∞"}..${range.max ?? "∞"}, got ${n}`);
      }
      return n;
    },
    bool(name: string, fallback: boolean): boolean {
      const v = raw(name);
      if (v === undefined) return fallback;
      if (/^(true|1|yes|on)$/i.test(v)) return true;
      if (/^(false|0|no|off)$/i.test(v)) return false;
      throw new ConfigError(`${name} must be true or false, got "${v}"`);
    },
    /** One of a fixed set of words. */
    oneOf<const T extends string>(name: string, allowed: readonly T[], fallback: T): T {
      const v = raw(name) ?? fallback;
      if (!(allowed as readonly string[]).includes(v)) {
        throw new ConfigError(`${name} must be one of ${allowed.join(", ")}, got "${v}"`);
      }
      return v as T;
    },
    /** An ISO 4217 currency code (checked against the table, like every amount). */
    currency(name: string, fallback: string): string {
      const v = raw(name) ?? fallback;
      if (!isKnownCurrency(v))
        throw new ConfigError(`${name} must be an ISO 4217 currency code such as USD or JPY, got "${v}"`);
      return v;
    },
    /** A number of milliseconds, or a range "1000-2000" picked uniformly per use. */
    msRange(name: string, fallback: string): { min: number; max: number } {
      const v = raw(name) ?? fallback;
      const m = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(v);
      if (!m) throw new ConfigError(`${name} must be a number of ms or a range like 1000-2000, got "${v}"`);
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : Number(m[2]);
      if (max < min) throw new ConfigError(`${name}: range end ${max} is below its start ${min}`);
      return { min, max };
    },
  };
}

/** What `envReader` answers: the typed readers over one environment. */
export type EnvReader = ReturnType<typeof envReader>;

/** Default ports from the contract; each overridable by its own variable. */
export const defaultPorts = {
  gateway: 8080,
  product: 50051,
  cart: 50052,
  inventory: 50053,
  payment: 50054,
  orders: 50055,
  checkout: 50056,
} as const;

/**
 * Default admin ports (HTTP/1.1: /health/live, /health/ready, /metrics), one per service, each
 * overridable by `<SVC>_ADMIN_PORT`. A service whose RPC port is 0 (any free port) defaults its
 * admin port to 0 too, so tests and drills starting several copies never collide.
 */
export const defaultAdminPorts = {
  product: 9451,
  cart: 9452,
  inventory: 9453,
  payment: 9454,
  orders: 9455,
  checkout: 9456,
} as const;
