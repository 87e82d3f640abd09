/** The outcome of taking one token from a bucket. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** Seconds until the bucket is full again (the `t` of the RateLimit header). */
  resetSeconds: number;
  /** When refused: seconds until a token is back (Retry-After). */
  retryAfterSeconds: number;
  /** True when the store could not be asked and the request was let through (fail open). */
  failedOpen?: boolean;
}

/**
 * Where token buckets live: in memory for one gateway instance (embedded mode), in Redis when
 * several instances must share them (REDIS_URL). A bucket holds a minute's allowance (a burst
 * may spend it at once) and refills continuously at limit/60 tokens per second.
 */
export interface RateLimitStore {
  take(key: string, limitPerMinute: number): Promise<RateLimitDecision>;
}

/** The decision for a bucket holding `tokens` before this request (shared by the stores' arithmetic). */
export function decide(tokens: number, limitPerMinute: number): RateLimitDecision {
  const perSecond = limitPerMinute / 60;
  if (tokens >= 1) {
    const left = tokens - 1;
    return {
      allowed: true,
      remaining: Math.floor(left),
      resetSeconds: Math.ceil((limitPerMinute - left) / perSecond),
      retryAfterSeconds: 0,
    };
  }
  return {
    allowed: false,
    remaining: 0,
    resetSeconds: Math.ceil((limitPerMinute - tokens) / perSecond),
    retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / perSecond)),
  };
}
