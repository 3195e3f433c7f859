// The API calls browser tests make around the pages: sign in for a token, call
// a function, wait for an instance's sync and analyses, and check a page at
// desktop and phone width.
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import type { Page } from "playwright-core";
import { assertAccessible } from "./_harness.ts";

/** Signs in through the auth stand-in with supabase-js and returns the access token. */
export async function apiToken(url: string, email: string, password: string): Promise<string> {
  const config = await (await fetch(`${url}/app-config.json`)).json() as {
    supabaseAnonKey: string;
  };
  const client = createClient(url, config.supabaseAnonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  });
  const { data, error } = await client.auth.signInWithPassword({ email, password });
  if (error || !data.session) throw new Error(`Cannot sign in ${email}: ${error?.message}`);
  return data.session.access_token;
}

/**
 * Calls a function route (`/functions/v1<path>`) and returns its JSON body.
 *
 * @throws {Error} naming the route and the answer when it is not 2xx
 */
export async function callApi(
  url: string,
  bearer: string,
  method: string,
  path: string,
  body?: unknown,
  // deno-lint-ignore no-explicit-any
): Promise<any> {
  // A stalled stack fails the test instead of leaving CI waiting.
  const res = await fetch(`${url}/functions/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

interface RunRow {
  status: string;
  checks_done: number;
  checks_total: number;
}

/**
 * Waits until nothing of the instance is queued or running (sync or analysis)
 * and at least `runs` analyses have succeeded.
 */
export async function settle(
  url: string,
  bearer: string,
  instanceId: string,
  runs = 1,
): Promise<void> {
  let state = "";
  // A wall-clock bound: slow answers on a loaded machine must not stretch it.
  const deadline = Date.now() + 300_000;
  while (Date.now() < deadline) {
    const list: RunRow[] =
      (await callApi(url, bearer, "GET", `/analysis/runs?instance_id=${instanceId}`)).data;
    const instance = (await callApi(url, bearer, "GET", `/instances/${instanceId}`)).data;
    const busy = list.some((r) => r.status === "queued" || r.status === "running") ||
      instance.active_sync !== null;
    const done = list.filter((r) => r.status === "succeeded").length;
    if (!busy && done >= runs) return;
    state = JSON.stringify({
      runs: list.map((r) => `${r.status} ${r.checks_done}/${r.checks_total}`),
      active_sync: instance.active_sync?.status ?? null,
      last_sync: instance.last_sync?.status ?? null,
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`The instance ${instanceId} did not settle: ${state}`);
}

/** Axe and screenshots at desktop width and at 390 px, where nothing may scroll sideways. */
export async function checkWidths(page: Page, name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await assertAccessible(page, `${name}-desktop`);
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300);
  await assertAccessible(page, `${name}-390`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 390, `${name} is ${width} px wide at 390 px`);
  await page.setViewportSize({ width: 1280, height: 800 });
}
