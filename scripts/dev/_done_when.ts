// What the done-when tests (scripts/dev/*_done_when_test.ts) share: signing in
// to the dev stack, calling its API, reading a job's event stream, the dev
// mailbox, and waiting for background work. Every request has a time limit and
// every wait a wall-clock deadline, so a stalled stack fails the test with what
// its jobs were doing instead of leaving CI waiting (a probe that answers
// slowly on a loaded machine must not stretch a 5-minute wait into an hour).
import assert from "node:assert/strict";
import type { Stack } from "./stack.ts";

/** The longest one API call may take before the test fails. */
export const REQUEST_TIMEOUT_MS = 60_000;
/** A job's event stream ends within 110 s (shared/http/sse.ts); a little more here. */
const EVENT_STREAM_TIMEOUT_MS = 150_000;

/** What the stack needs to be reached; a subset of {@linkcode Stack}. */
export type DevStack = Pick<Stack, "url" | "auth" | "demo">;

/** An API answer: its status, parsed JSON body (null when empty) and raw text. */
export interface ApiAnswer {
  status: number;
  // deno-lint-ignore no-explicit-any
  body: any;
  text: string;
}

/** Calls `/functions/v1<path>` with a bearer token (none when empty). */
export type ApiCall = (method: string, path: string, body?: unknown) => Promise<ApiAnswer>;

/**
 * Fetches with {@linkcode REQUEST_TIMEOUT_MS}; a request the stack does not
 * answer in time fails naming the request.
 */
export async function fetchWithin(
  input: string,
  init: RequestInit = {},
  timeoutMs = REQUEST_TIMEOUT_MS,
): Promise<Response> {
  try {
    return await fetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    if (error instanceof DOMException && error.name === "TimeoutError") {
      throw new Error(`${init.method ?? "GET"} ${input} got no answer within ${timeoutMs} ms`);
    }
    throw error;
  }
}

/**
 * Signs in with a password through the auth stand-in.
 *
 * @returns the access token
 */
export async function signIn(
  stack: DevStack,
  account: { email: string; password: string } = stack.demo,
): Promise<string> {
  const res = await fetchWithin(`${stack.url}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { "content-type": "application/json", apikey: stack.auth.anonKey },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.access_token;
}

/** An API caller for a bearer token (empty: no Authorization header). */
export function apiCaller(stack: DevStack, bearer: string): ApiCall {
  return async (method, path, body) => {
    const res = await fetchWithin(`${stack.url}/functions/v1${path}`, {
      method,
      headers: {
        ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, text };
  };
}

/** A job's Server-Sent Events, read until the stream ends. */
export async function jobEvents(
  stack: DevStack,
  token: string,
  jobId: string,
): Promise<{ event: string | undefined; data: Record<string, unknown> | null }[]> {
  const res = await fetchWithin(
    `${stack.url}/functions/v1/tasks/jobs/${jobId}/events`,
    { headers: { authorization: `Bearer ${token}` } },
    EVENT_STREAM_TIMEOUT_MS,
  );
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/event-stream/);
  const text = await res.text();
  return text.split("\n\n").filter((chunk) => /^event: /m.test(chunk)).map((chunk) => {
    const data = /^data: (.*)$/m.exec(chunk)?.[1];
    return { event: /^event: (.*)$/m.exec(chunk)?.[1], data: data ? JSON.parse(data) : null };
  });
}

/** A message in the auth stand-in's dev mailbox (product emails land there too). */
export interface DevMail {
  type: string;
  subject: string;
  text: string;
  html: string;
  link: string;
  attachments: { filename: string; sha256: string }[];
}

/** The dev mailbox's messages to one address. */
export async function mailbox(stack: DevStack, to: string): Promise<DevMail[]> {
  const res = await fetchWithin(`${stack.url}/auth/v1/_dev/mailbox?to=${encodeURIComponent(to)}`);
  assert.equal(res.status, 200);
  return (await res.json() as { messages: DevMail[] }).messages;
}

/** Options of {@linkcode waitFor}. */
export interface WaitOptions {
  /** Give up after this long (default 240 s: sync, analysis and delivery on a loaded machine). */
  seconds?: number;
  /** What to add to the failure, e.g. the organization's jobs and their errors. */
  diagnose?: () => Promise<string>;
}

/**
 * Polls `probe` every 250 ms until it returns something other than null or
 * undefined, or fails after a wall-clock deadline naming `what` and what
 * `diagnose` found (a bound on waiting, not a timing assertion).
 */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | null | undefined>,
  options: WaitOptions = {},
): Promise<T> {
  const seconds = options.seconds ?? 240;
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) {
      const found = options.diagnose
        ? await options.diagnose().catch((error) => `(cannot diagnose: ${error})`)
        : "";
      throw new Error(`${what}: nothing within ${seconds} s${found ? `\n${found}` : ""}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * An organization's newest jobs, a line each (kind, subject, status, progress
 * and error): what a failed wait reports about the background work.
 */
export function jobsOf(stack: DevStack, token: string, orgId: string): () => Promise<string> {
  return async () => {
    const { status, body, text } = await apiCaller(stack, token)(
      "GET",
      `/tasks/jobs?org_id=${orgId}&limit=20`,
    );
    if (status !== 200) return `jobs: ${status} ${text}`;
    const jobs = body.data as {
      kind: string;
      subject: string | null;
      status: string;
      progress: number;
      attempts: number;
      error: string | null;
    }[];
    if (jobs.length === 0) return "jobs: none";
    return "jobs, newest first:\n" +
      jobs.map((j) =>
        `  ${j.kind} ${j.subject ?? ""} ${j.status} ${Math.round(j.progress * 100)}% ` +
        `attempts ${j.attempts}${j.error ? ` error: ${j.error}` : ""}`
      ).join("\n");
  };
}
