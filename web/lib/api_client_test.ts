import assert from "node:assert/strict";
import { createApiClient } from "./api_client.ts";
import { ApiError } from "./api_error.ts";

interface Call {
  method: string;
  url: string;
  authorization: string | null;
  body: unknown;
}

/** A fetch that answers from a list of responses and records the calls. */
function fakeFetch(responses: Array<Response | Error>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetchFn = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    calls.push({
      method: init?.method ?? "GET",
      url: String(input),
      authorization: headers.get("authorization"),
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
    });
    const next = responses.shift();
    if (!next) throw new Error("unexpected request");
    if (next instanceof Error) throw next;
    return await Promise.resolve(next);
  };
  return { fetch: fetchFn as typeof fetch, calls };
}

function errorResponse(
  status: number,
  code: string,
  message: string,
  headers: HeadersInit = {},
): Response {
  return Response.json({ error: { code, message, details: null } }, { status, headers });
}

function client(
  responses: Array<Response | Error>,
  tokens = ["token-1"],
  refreshed: string | null = "token-2",
) {
  const fake = fakeFetch(responses);
  let unauthorized = 0;
  let refreshes = 0;
  const api = createApiClient({
    baseUrl: "https://app.test/functions/v1/",
    getAccessToken: () => Promise.resolve(tokens[0] ?? null),
    refreshAccessToken: () => {
      refreshes++;
      return Promise.resolve(refreshed);
    },
    onUnauthorized: () => unauthorized++,
    fetch: fake.fetch,
  });
  return { api, calls: fake.calls, unauthorized: () => unauthorized, refreshes: () => refreshes };
}

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiError, `expected an ApiError, got ${error}`);
    return error;
  }
  throw new Error("expected the call to fail");
}

Deno.test("createApiClient() sends the session token and unwraps data", async () => {
  const org = {
    id: "o1",
    name: "Acme",
    slug: "acme",
    plan: "trial",
    subscription_status: "active",
    role: "owner",
  };
  const { api, calls } = client([Response.json({ data: [org] })]);
  assert.deepEqual(await api.organizations.list(), [org]);
  assert.equal(calls[0]?.url, "https://app.test/functions/v1/organizations");
  assert.equal(calls[0]?.authorization, "Bearer token-1");
});

Deno.test("createApiClient() refreshes the token once after a 401 and retries", async (t) => {
  await t.step("the retry succeeds with the new token", async () => {
    const c = client([
      errorResponse(401, "unauthorized", "Token expired"),
      Response.json({ data: [] }),
    ]);
    assert.deepEqual(await c.api.organizations.list(), []);
    assert.deepEqual(c.calls.map((call) => call.authorization), [
      "Bearer token-1",
      "Bearer token-2",
    ]);
    assert.equal(c.unauthorized(), 0);
  });
  await t.step("a second 401 ends the session with a sign-in message", async () => {
    const c = client([
      errorResponse(401, "unauthorized", "x"),
      errorResponse(401, "unauthorized", "x"),
    ]);
    const error = await rejection(c.api.organizations.list());
    assert.equal(error.status, 401);
    assert.equal(error.message, "Your session has expired. Sign in again to continue.");
    assert.equal(c.unauthorized(), 1);
    assert.equal(c.refreshes(), 1);
  });
  await t.step("no refreshable session ends the session without a retry", async () => {
    const c = client([errorResponse(401, "unauthorized", "x")], ["token-1"], null);
    await rejection(c.api.organizations.list());
    assert.equal(c.calls.length, 1);
    assert.equal(c.unauthorized(), 1);
  });
});

Deno.test("createApiClient() explains refusals in words a user can act on", async (t) => {
  await t.step("403 with a known code", async () => {
    const { api } = client([
      errorResponse(
        403,
        "owner_required",
        "Only an owner can grant, remove or change the owner role",
      ),
    ]);
    const error = await rejection(api.organizations.changeRole("o1", "u1", "owner"));
    assert.equal(error.kind, "forbidden");
    assert.equal(error.code, "owner_required");
    assert.equal(error.message, "Only an owner can grant, remove or change the owner role.");
  });
  await t.step("403 with an unknown code keeps the API's explanation", async () => {
    const { api } = client([
      errorResponse(403, "forbidden", "This needs the admin role or higher; you are a viewer"),
    ]);
    const error = await rejection(api.organizations.removeMember("o1", "u2"));
    assert.equal(error.message, "This needs the admin role or higher; you are a viewer.");
  });
  await t.step("404 without a body gets a generic explanation", async () => {
    const { api } = client([new Response("", { status: 404 })]);
    const error = await rejection(api.organizations.get("o9"));
    assert.equal(error.kind, "not_found");
    assert.match(error.message, /couldn't find that/);
  });
  await t.step("409 last_owner", async () => {
    const { api } = client([errorResponse(409, "last_owner", "The last owner cannot leave")]);
    const error = await rejection(api.organizations.leave("o1"));
    assert.match(error.message, /needs at least one owner/);
  });
  await t.step("429 says when to try again", async () => {
    const { api } = client([
      errorResponse(429, "rate_limited", "Slow down", { "retry-after": "12" }),
    ]);
    const error = await rejection(api.organizations.list());
    assert.equal(error.retryAfter, 12);
    assert.equal(error.message, "Too many requests. Try again in 12 seconds.");
  });
  await t.step("5xx never shows the server's message", async () => {
    const { api } = client([errorResponse(500, "internal_error", 'relation "x" does not exist')]);
    const error = await rejection(api.organizations.list());
    assert.equal(error.kind, "server");
    assert.equal(error.message, "Something went wrong on our side. Try again in a moment.");
  });
  await t.step("a network failure", async () => {
    const { api } = client([new TypeError("fetch failed")]);
    const error = await rejection(api.organizations.list());
    assert.equal(error.status, 0);
    assert.equal(error.kind, "network");
  });
});

Deno.test("createApiClient() follows member cursors and handles 204", async () => {
  const member = (id: string) => ({
    user_id: id,
    email: `${id}@x.test`,
    display_name: null,
    role: "viewer",
    joined_at: "",
  });
  const { api, calls } = client([
    Response.json({ data: [member("a")], next_cursor: "c1" }),
    Response.json({ data: [member("b")], next_cursor: null }),
    new Response(null, { status: 204 }),
  ]);
  const all = await api.organizations.listAllMembers("o1");
  assert.deepEqual(all.map((m) => m.user_id), ["a", "b"]);
  assert.match(calls[1]?.url ?? "", /members\?limit=200&cursor=c1$/);
  assert.equal(await api.organizations.removeMember("o1", "a"), undefined);
  assert.equal(calls[2]?.method, "DELETE");
  assert.match(calls[2]?.url ?? "", /\/organizations\/o1\/members\/a$/);
});
