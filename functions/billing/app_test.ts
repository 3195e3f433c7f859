// The billing function over HTTP: the plan and its limits, usage, Checkout and
// the portal against a mocked Stripe API (msw), and webhooks signed with
// Stripe's own test-header helper: bad signatures, replays, events out of order.
import assert from "node:assert/strict";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import Stripe from "stripe";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
} from "../../scripts/testing/mod.ts";
import { meter } from "../../shared/billing/mod.ts";
import { createBillingApp } from "./app.ts";

const SECRET = "whsec_test_billing_secret";
const API = "https://api.stripe.com";
const requests: { method: string; path: string; form: URLSearchParams }[] = [];
const subscriptionStatus = "active";

const server = setupServer(
  http.all(`${API}/*`, async ({ request }) => {
    const url = new URL(request.url);
    const form = new URLSearchParams(request.method === "GET" ? url.search : await request.text());
    requests.push({ method: request.method, path: url.pathname, form });
    const key = form.get("lookup_keys[0]");
    switch (`${request.method} ${url.pathname}`) {
      case "GET /v1/prices":
        return HttpResponse.json({
          object: "list",
          data: key ? [{ id: `price_${key}`, object: "price", lookup_key: key }] : [],
          has_more: false,
        });
      case "POST /v1/customers":
        return HttpResponse.json({ id: "cus_test_1", object: "customer" });
      case "POST /v1/checkout/sessions":
        return HttpResponse.json({
          id: "cs_test_1",
          object: "checkout.session",
          url: "https://checkout.stripe.com/c/pay/cs_test_1",
        });
      case "POST /v1/billing_portal/sessions":
        return HttpResponse.json({
          id: "bps_1",
          object: "billing_portal.session",
          url: "https://billing.stripe.com/p/session/bps_1",
        });
      case "GET /v1/invoices":
        return HttpResponse.json({
          object: "list",
          has_more: false,
          data: [{
            id: "in_1",
            object: "invoice",
            number: "CIQ-0001",
            status: "paid",
            amount_due: 19900,
            amount_paid: 19900,
            currency: "usd",
            created: 1796000000,
            hosted_invoice_url: "https://invoice.stripe.com/i/in_1",
            invoice_pdf: "https://invoice.stripe.com/i/in_1/pdf",
          }],
        });
      case "GET /v1/subscriptions/sub_1":
        return HttpResponse.json(subscription("sub_1", "basic", subscriptionStatus));
      case "POST /v1/subscriptions/sub_1":
        return HttpResponse.json(subscription("sub_1", "professional", subscriptionStatus));
    }
    return HttpResponse.json({ error: { type: "invalid_request_error", message: "nope" } }, {
      status: 404,
    });
  }),
);
server.listen({ onUnhandledRequest: "bypass" });

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const services = createTestServices(tdb.db, auth, {
  STRIPE_SECRET_KEY: "sk_test_billing",
  STRIPE_WEBHOOK_SECRET: SECRET,
  PUBLIC_URL: "http://localhost:8000",
});
const app = createBillingApp(services);
const stripe = new Stripe("sk_test_billing", { httpClient: Stripe.createFetchHttpClient() });
Deno.test.afterAll(async () => {
  server.close();
  await tdb.close();
});

function subscription(id: string, plan: string, status: string, orgId?: string) {
  return {
    id,
    object: "subscription",
    status,
    customer: orgId ? `cus_${orgId.slice(0, 8)}` : "cus_test_1",
    metadata: orgId ? { org_id: orgId, plan } : { plan },
    items: {
      object: "list",
      data: [{
        id: "si_1",
        object: "subscription_item",
        price: { lookup_key: `ciq_${plan}_monthly` },
      }],
    },
  };
}

async function call(token: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await app.request(`http://localhost/billing${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

let eventSeq = 0;
async function sendEvent(
  type: string,
  object: unknown,
  options: { created?: number; id?: string; secret?: string; tamper?: boolean } = {},
) {
  const payload = JSON.stringify({
    id: options.id ?? `evt_test_${++eventSeq}_${crypto.randomUUID().slice(0, 8)}`,
    object: "event",
    type,
    created: options.created ?? Math.floor(Date.now() / 1000),
    data: { object },
  });
  const signature = await stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: options.secret ?? SECRET,
  });
  return await app.request("http://localhost/billing/webhooks/stripe", {
    method: "POST",
    headers: { "stripe-signature": signature, "content-type": "application/json" },
    body: options.tamper ? payload.replace("customer", "kustomer") : payload,
  });
}

const orgRow = async (orgId: string) =>
  (await tdb.db.sql<{ plan: string; subscription_status: string; past_due_since: Date | null }[]>`
    select plan, subscription_status, past_due_since from public.organizations
    where id = ${orgId}`)[0]!;

Deno.test("GET /billing/:orgId shows the plan's limits against usage, to members only", async () => {
  const owner = await auth.createUser(tdb.db, { orgName: "Billing Read" });
  const stranger = await auth.createUser(tdb.db, { orgName: "Elsewhere" });
  const res = await call(owner.token, "GET", `/${owner.orgId}`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const data = res.body.data;
  assert.equal(data.plan.plan, "trial");
  assert.equal(data.upgrade_to, "basic");
  assert.ok(data.trial_ends_at);
  assert.equal(data.read_only_reason, null);
  const members = data.limits.find((l: { limit: string }) => l.limit === "members");
  assert.deepEqual(members, { limit: "members", allowed: 5, used: 1 });
  assert.equal((await call(stranger.token, "GET", `/${owner.orgId}`)).status, 404);
});

Deno.test("usage: API calls metered through the cache reach the daily history", async () => {
  const owner = await auth.createUser(tdb.db, { orgName: "Metered" });
  for (let i = 0; i < 3; i++) await meter(services.cache, owner.orgId!, "api_calls");
  const res = await call(owner.token, "GET", `/${owner.orgId}/usage?days=7`);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const api = res.body.data.find((s: { metric: string }) => s.metric === "api_calls");
  // The read itself is metered afterwards, so at least the three.
  assert.ok(api.total >= 3, JSON.stringify(api));
  assert.equal(api.days.length, 7);
  const members = res.body.data.find((s: { metric: string }) => s.metric === "members");
  assert.equal(members.total, 1);
  // Signed-in calls naming the organization are metered too.
  for (let i = 0; i < 4; i++) await call(owner.token, "GET", `/${owner.orgId}`);
  const metered = await call(owner.token, "GET", `/${owner.orgId}/usage?days=7`);
  const apiMetered = metered.body.data.find((s: { metric: string }) => s.metric === "api_calls");
  assert.ok(apiMetered.total >= api.total + 4, JSON.stringify([api.total, apiMetered.total]));
  // Flushing again does not double count.
  const again = await call(owner.token, "GET", `/${owner.orgId}/usage?days=7`);
  const apiAgain = again.body.data.find((s: { metric: string }) => s.metric === "api_calls");
  assert.equal(apiAgain.total, apiMetered.total + 1, "only the last read added one");
});

Deno.test("checkout: a Checkout session for the org's customer; admins only", async () => {
  const owner = await auth.createUser(tdb.db, { orgName: "Buyer" });
  const viewer = await auth.createUser(tdb.db);
  await tdb.db.sql`insert into public.memberships (org_id, user_id, role)
                   values (${owner.orgId!}, ${viewer.id}, 'viewer')`;
  requests.length = 0;
  const res = await call(owner.token, "POST", `/${owner.orgId}/checkout`, { plan: "basic" });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.data.url, "https://checkout.stripe.com/c/pay/cs_test_1");
  const session = requests.find((r) => r.path === "/v1/checkout/sessions")!;
  assert.equal(session.form.get("mode"), "subscription");
  assert.equal(session.form.get("client_reference_id"), owner.orgId);
  assert.equal(session.form.get("customer"), "cus_test_1");
  assert.equal(session.form.get("line_items[0][price]"), "price_ciq_basic_monthly");
  assert.equal(session.form.get("metadata[plan]"), "basic");
  const refused = await call(viewer.token, "POST", `/${owner.orgId}/checkout`, { plan: "basic" });
  assert.equal(refused.status, 403);
  const trial = await call(owner.token, "POST", `/${owner.orgId}/checkout`, { plan: "trial" });
  assert.equal(trial.status, 400);

  const portal = await call(owner.token, "POST", `/${owner.orgId}/portal`);
  assert.equal(portal.body.data.url, "https://billing.stripe.com/p/session/bps_1");
  const invoices = await call(owner.token, "GET", `/${owner.orgId}/invoices`);
  assert.equal(invoices.body.data[0].number, "CIQ-0001");
});

Deno.test("webhooks: signature failures are refused and change nothing", async (t) => {
  const owner = await auth.createUser(tdb.db, { orgName: "Signed" });
  const sub = subscription("sub_sig", "professional", "active", owner.orgId!);
  await t.step("wrong secret", async () => {
    const res = await sendEvent("customer.subscription.updated", sub, { secret: "whsec_other" });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.code, "invalid_signature");
  });
  await t.step("body changed after signing", async () => {
    const res = await sendEvent("customer.subscription.updated", sub, { tamper: true });
    assert.equal(res.status, 400);
  });
  await t.step("no signature header", async () => {
    const res = await app.request("http://localhost/billing/webhooks/stripe", {
      method: "POST",
      body: "{}",
    });
    assert.equal(res.status, 400);
  });
  assert.equal((await orgRow(owner.orgId!)).plan, "trial");
});

Deno.test("webhooks: applied once, replays are duplicates, older events are stale", async () => {
  const owner = await auth.createUser(tdb.db, { orgName: "Subscriber" });
  const orgId = owner.orgId!;
  const now = Math.floor(Date.now() / 1000);
  const id = `evt_once_${crypto.randomUUID()}`;
  const active = subscription("sub_o", "professional", "active", orgId);
  let res = await sendEvent("customer.subscription.created", active, { id, created: now });
  assert.deepEqual(await res.json(), { received: true, outcome: "applied" });
  assert.equal((await orgRow(orgId)).plan, "professional");
  const limits = (await call(owner.token, "GET", `/${orgId}`)).body.data.limits;
  assert.equal(limits.find((l: { limit: string }) => l.limit === "instances").allowed, 10);

  res = await sendEvent("customer.subscription.created", active, { id, created: now });
  assert.equal((await res.json()).outcome, "duplicate");

  // past_due arrives, then an older "active" comes late: the past-due state holds.
  res = await sendEvent(
    "customer.subscription.updated",
    subscription("sub_o", "professional", "past_due", orgId),
    { created: now + 60 },
  );
  assert.equal((await res.json()).outcome, "applied");
  res = await sendEvent("customer.subscription.updated", active, { created: now + 30 });
  assert.equal((await res.json()).outcome, "stale");
  const row = await orgRow(orgId);
  assert.ok(row.past_due_since, "past due since the event");
  const overview = (await call(owner.token, "GET", `/${orgId}`)).body.data;
  assert.ok(overview.grace_ends_at);
  assert.equal(overview.read_only_reason, null, "still within the grace period");

  res = await sendEvent(
    "customer.subscription.deleted",
    subscription("sub_o", "professional", "canceled", orgId),
    { created: now + 120 },
  );
  assert.equal((await res.json()).outcome, "applied");
  const cancelled = (await call(owner.token, "GET", `/${orgId}`)).body.data;
  assert.equal(cancelled.subscription_status, "cancelled");
  assert.equal(cancelled.read_only_reason, "subscription_cancelled");
});

Deno.test("webhooks: checkout.session.completed links the customer and applies the plan", async () => {
  const owner = await auth.createUser(tdb.db, { orgName: "Checked Out" });
  const res = await sendEvent("checkout.session.completed", {
    id: "cs_x",
    object: "checkout.session",
    client_reference_id: owner.orgId,
    customer: `cus_${crypto.randomUUID().slice(0, 8)}`,
    subscription: "sub_new",
    payment_status: "paid",
    metadata: { org_id: owner.orgId, plan: "basic" },
  });
  assert.equal((await res.json()).outcome, "applied");
  const overview = (await call(owner.token, "GET", `/${owner.orgId}`)).body.data;
  assert.equal(overview.plan.plan, "basic");
  assert.equal(overview.has_billing_account, true);
  assert.equal(overview.trial_ends_at, null);
});

Deno.test("checkout with a live subscription changes its price in place", async () => {
  const owner = await auth.createUser(tdb.db, { orgName: "Upgrader" });
  await tdb.db.sql`update public.organizations set plan = 'basic', stripe_customer_id = 'cus_up',
                   stripe_subscription_id = 'sub_1' where id = ${owner.orgId!}`;
  requests.length = 0;
  const res = await call(owner.token, "POST", `/${owner.orgId}/checkout`, {
    plan: "professional",
  });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body.data, {});
  const update = requests.find((r) => r.method === "POST" && r.path === "/v1/subscriptions/sub_1");
  assert.equal(update?.form.get("items[0][price]"), "price_ciq_professional_monthly");
  assert.equal(update?.form.get("items[0][id]"), "si_1");
  const same = await call(owner.token, "POST", `/${owner.orgId}/checkout`, { plan: "basic" });
  assert.equal(same.status, 409);
});
