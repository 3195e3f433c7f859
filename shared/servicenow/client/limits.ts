/**
 * Client-side request pacing: a token-bucket rate limiter and a concurrency gate,
 * both with injectable clocks so they can be tested without waiting.
 *
 * @module
 */

/** Sleeps `ms`, rejecting early when the signal aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * The default sleep, backed by setTimeout.
 *
 * @param ms how long
 * @param signal rejects early with the signal's reason
 * @returns resolves after `ms`
 */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Options of {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Sustained requests per second (default 10). */
  requestsPerSecond?: number;
  /** Burst size (default: one second's worth, at least 1). */
  burst?: number;
  now?: () => number;
  sleep?: Sleep;
}

/** Token bucket: at most `requestsPerSecond` on average, bursts up to `burst`. */
export class RateLimiter {
  readonly rate: number;
  readonly capacity: number;
  #tokens: number;
  #last: number;
  #now: () => number;
  #sleep: Sleep;
  #queue: Promise<void> = Promise.resolve();

  /** @param options rate, burst, clock and sleep */
  constructor(options: RateLimiterOptions = {}) {
    this.rate = options.requestsPerSecond ?? 10;
    if (!(this.rate > 0)) {
      throw new Error("Cannot create rate limiter: requestsPerSecond must be positive");
    }
    this.capacity = Math.max(1, options.burst ?? Math.floor(this.rate));
    this.#tokens = this.capacity;
    this.#now = options.now ?? (() => performance.now());
    this.#last = this.#now();
    this.#sleep = options.sleep ?? defaultSleep;
  }

  /**
   * Waits for a token (callers are served in order).
   *
   * @param signal aborts the wait
   */
  acquire(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#take(signal));
    this.#queue = turn.catch(() => {});
    return turn;
  }

  async #take(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const now = this.#now();
      this.#tokens = Math.min(
        this.capacity,
        this.#tokens + ((now - this.#last) / 1000) * this.rate,
      );
      this.#last = now;
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      await this.#sleep(Math.ceil(((1 - this.#tokens) / this.rate) * 1000), signal);
    }
  }
}

/** Limits how many requests run at once. */
export class Semaphore {
  #free: number;
  #waiting: (() => void)[] = [];

  /** @param size maximum concurrent holders (≥ 1) */
  constructor(size: number) {
    if (!(size >= 1)) throw new Error("Cannot create semaphore: size must be at least 1");
    this.#free = Math.floor(size);
  }

  /**
   * Waits for a slot.
   *
   * @param signal aborts the wait
   * @returns a function that releases the slot
   */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.#free > 0) {
      this.#free--;
    } else {
      await new Promise<void>((resolve, reject) => {
        const grant = () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        };
        const onAbort = () => {
          this.#waiting = this.#waiting.filter((w) => w !== grant);
          reject(signal!.reason);
        };
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener("abort", onAbort, { once: true });
        this.#waiting.push(grant);
      });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    };
  }
}
