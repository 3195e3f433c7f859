// Parsers for the values QStash headers carry: durations ("10s", "1h30m"),
// retry-delay expressions ("pow(2, retried) * 1000") and cron ("*/5 * * * *",
// optionally "CRON_TZ=Europe/Paris 0 9 * * 1").
import { Cron } from "croner";

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Milliseconds in a QStash duration: a bare number of seconds, or number–unit
 * pairs with units ms, s, m, h, d (e.g. "90s", "1h30m").
 *
 * @param text the header value
 * @returns null when it is not a duration
 */
export function parseDuration(text: string): number | null {
  const value = text.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(value)) return null;
  let total = 0;
  for (const [, amount, , unit] of value.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(amount) * UNIT_MS[unit!]!;
  }
  return Math.round(total);
}

type Token = { type: "num"; value: number } | { type: "id"; value: string } | {
  type: "op";
  value: string;
};

const FUNCTIONS: Record<string, (...args: number[]) => number> = {
  pow: (a = 0, b = 0) => a ** b,
  sqrt: (a = 0) => Math.sqrt(a),
  abs: (a = 0) => Math.abs(a),
  exp: (a = 0) => Math.exp(a),
  floor: (a = 0) => Math.floor(a),
  ceil: (a = 0) => Math.ceil(a),
  round: (a = 0) => Math.round(a),
  min: (...args) => Math.min(...args),
  max: (...args) => Math.max(...args),
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  const pattern = /\s*(?:(\d+(?:\.\d+)?)|([A-Za-z_]\w*)|(\*\*|[-+*/%(),^]))/y;
  let index = 0;
  while (index < text.length) {
    if (/^\s*$/.test(text.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(text);
    if (!match) throw new Error(`unexpected "${text.slice(index).trim()[0]}"`);
    if (match[1]) tokens.push({ type: "num", value: Number(match[1]) });
    else if (match[2]) tokens.push({ type: "id", value: match[2] });
    else tokens.push({ type: "op", value: match[3]! });
    index = pattern.lastIndex;
  }
  return tokens;
}

/**
 * Evaluates a retry-delay expression: numbers, `retried`, + - * / % and
 * parentheses, and the functions pow, sqrt, abs, exp, floor, ceil, round, min
 * and max. The result is the delay in milliseconds.
 *
 * @param expression the `Upstash-Retry-Delay` header
 * @param retried retries so far (0 before the first retry)
 * @throws {Error} naming what is wrong with the expression
 */
export function evaluateRetryDelay(expression: string, retried: number): number {
  const tokens = tokenize(expression);
  let at = 0;
  const peek = () => tokens[at];
  const take = () => tokens[at++];
  const expect = (op: string) => {
    const token = take();
    if (token?.type !== "op" || token.value !== op) throw new Error(`expected "${op}"`);
  };
  const primary = (): number => {
    const token = take();
    if (!token) throw new Error("unexpected end of expression");
    if (token.type === "num") return token.value;
    if (token.type === "op" && token.value === "(") {
      const value = sum();
      expect(")");
      return value;
    }
    if (token.type === "op" && token.value === "-") return -primary();
    if (token.type === "id") {
      if (token.value === "retried") return retried;
      const fn = FUNCTIONS[token.value];
      if (!fn) throw new Error(`unknown name "${token.value}"`);
      expect("(");
      const args: number[] = [];
      if (!(peek()?.type === "op" && peek()!.value === ")")) {
        args.push(sum());
        while (peek()?.type === "op" && peek()!.value === ",") {
          take();
          args.push(sum());
        }
      }
      expect(")");
      return fn(...args);
    }
    throw new Error(`unexpected "${token.value}"`);
  };
  const product = (): number => {
    let value = primary();
    while (peek()?.type === "op" && ["*", "/", "%"].includes(String(peek()!.value))) {
      const op = take()!.value;
      const right = primary();
      value = op === "*" ? value * right : op === "/" ? value / right : value % right;
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    while (peek()?.type === "op" && ["+", "-"].includes(String(peek()!.value))) {
      const op = take()!.value;
      const right = product();
      value = op === "+" ? value + right : value - right;
    }
    return value;
  };
  const result = sum();
  if (at < tokens.length) throw new Error(`unexpected "${tokens[at]!.value}"`);
  if (!Number.isFinite(result)) throw new Error("the delay is not a finite number");
  return Math.max(0, Math.round(result));
}

/** A parsed cron schedule. */
export interface CronSchedule {
  /** The next firing strictly after `from`. */
  nextAfter(from: Date): Date | null;
}

/**
 * Parses a five-field cron expression (UTC), optionally prefixed with
 * `CRON_TZ=<IANA zone> `, as QStash accepts.
 *
 * @param text the `Upstash-Cron` header
 * @throws {Error} when it is not a valid five-field cron or the zone is unknown
 */
export function parseCron(text: string): CronSchedule {
  let expression = text.trim();
  let timezone = "UTC";
  const tz = /^CRON_TZ=(\S+)\s+(.+)$/.exec(expression);
  if (tz) {
    timezone = tz[1]!;
    expression = tz[2]!.trim();
  }
  if (expression.split(/\s+/).length !== 5) {
    throw new Error(`"${text}" is not a five-field cron expression`);
  }
  try {
    new Intl.DateTimeFormat("en", { timeZone: timezone });
  } catch {
    throw new Error(`unknown time zone "${timezone}"`);
  }
  const cron = new Cron(expression, { paused: true, timezone });
  return { nextAfter: (from) => cron.nextRun(from) };
}
