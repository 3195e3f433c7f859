// Alert rules on security events: the every-minute pass reads the security
// entries of the audit trail written since the last pass and alerts once per
// entry, filtered by the rule's audit actions and throttled like other rules;
// change entries and entries from before the rule do not alert.
import assert from "node:assert/strict";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
} from "../../scripts/testing/mod.ts";
import { recordAuditEvent } from "../../shared/audit/mod.ts";
import { memoryMailer } from "../../shared/mail/mod.ts";
import {
  actionMatches,
  notifySecurityEvents,
  setNotificationChannels,
} from "../../shared/notifications/mod.ts";
import { createNotificationsApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const services = createTestServices(tdb.db, auth, { PUBLIC_URL: "https://ciq.example" });
const app = createNotificationsApp(services);
setNotificationChannels({ mailer: memoryMailer(), allowPrivate: true });
Deno.test.afterAll(async () => {
  setNotificationChannels(null);
  await tdb.close();
});

async function orgWithOwner() {
  const owner = await auth.createUser(tdb.db, { orgName: "Security Alerts Org" });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(`http://localhost/notifications/${owner.orgId}${path}`, {
      method,
      headers: { authorization: `Bearer ${owner.token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, text };
  };
  const rule = async (input: Record<string, unknown>) => {
    const res = await call("POST", "/rules", {
      event: "security.event",
      in_app_role: "owner",
      ...input,
    });
    assert.equal(res.status, 201, res.text);
    return res.body.data;
  };
  const inbox = async () =>
    ((await call("GET", "/inbox?limit=100")).body.data as { title: string }[])
      .map((n) => n.title).sort();
  const event = (action: string, category: "security" | "change" = "security") =>
    tdb.db.asService((tx) =>
      recordAuditEvent(tx, {
        orgId: owner.orgId!,
        action,
        targetTable: "auth.users",
        targetId: owner.id,
        category,
      })
    );
  return { owner, call, rule, inbox, event };
}

Deno.test("a security entry alerts once, filtered by the rule's actions; change entries and older ones do not", async () => {
  const { rule, inbox, event } = await orgWithOwner();
  await event("auth.sign_in_failed"); // before any rule: not announced
  const any = await rule({ name: "Any security event", throttle_minutes: 0 });
  assert.deepEqual(any.actions, []);
  const keys = await rule({
    name: "API keys only",
    actions: ["api_keys.*"],
    throttle_minutes: 0,
  });
  assert.deepEqual(keys.actions, ["api_keys.*"]);
  await event("auth.sign_in_failed");
  await event("api_keys.create");
  await event("organizations.update", "change");
  const first = await notifySecurityEvents(services);
  // The two events, and each rule's creation (a rule's channels and recipients are security fields).
  assert.equal(first.entries, 4);
  const titles = await inbox();
  assert.equal(titles.filter((t) => t === "Security event: auth.sign_in_failed").length, 1);
  // Both rules fire for the key; the in-app notification is per rule.
  assert.equal(titles.filter((t) => t === "Security event: api_keys.create").length, 2);
  assert.ok(!titles.some((t) => t.includes("organizations.update")));
  // Nothing new: the next pass reads nothing and sends nothing.
  const again = await notifySecurityEvents(services);
  assert.equal(again.entries, 0);
  assert.deepEqual(await inbox(), titles);
});

Deno.test("a burst of security events is throttled to one alert per window", async () => {
  const { rule, event, call } = await orgWithOwner();
  const created = await rule({
    name: "Failed sign-ins",
    actions: ["auth.sign_in_failed"],
    throttle_minutes: 60,
  });
  for (let i = 0; i < 3; i++) await event("auth.sign_in_failed");
  const outcome = await notifySecurityEvents(services);
  assert.equal(outcome.throttled, 2);
  const log = await call("GET", `/deliveries?limit=100`);
  assert.equal(log.status, 200, log.text);
  const statuses = (log.body.data as { rule_id: string; status: string }[])
    .filter((d) => d.rule_id === created.id).map((d) => d.status).sort();
  assert.deepEqual(statuses, ["sent", "throttled", "throttled"]);
});

Deno.test("a rule's actions must be audit actions or prefixes", async () => {
  const { call } = await orgWithOwner();
  const res = await call("POST", "/rules", {
    name: "Bad",
    event: "security.event",
    actions: ["DROP TABLE"],
    in_app_role: "owner",
  });
  assert.equal(res.status, 400, res.text);
  assert.equal(actionMatches(["members.*"], "members.change_role"), true);
  assert.equal(actionMatches(["members.*"], "membersx.add"), false);
  assert.equal(actionMatches(["api_keys.create"], "api_keys.revoke"), false);
  assert.equal(actionMatches([], "anything"), true);
});
