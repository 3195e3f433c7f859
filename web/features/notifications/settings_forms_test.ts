import assert from "node:assert/strict";
import { ApiError } from "../../lib/api_error.ts";
import {
  type Channel,
  CHANNEL_KINDS,
  channelTarget,
  keysOf,
  RULE_EVENTS,
  ruleCondition,
} from "./notification_catalog.ts";
import {
  apiErrors,
  channelApiErrors,
  channelBody,
  channelDraft,
  ruleBody,
  ruleDraft,
  splitList,
} from "./settings_forms.ts";

const slack: Channel = {
  id: "00000000-0000-4000-8000-000000000001",
  org_id: "00000000-0000-4000-8000-000000000002",
  name: "SOC",
  kind: "slack",
  url: "https://hooks.slack.com/…",
  emails: [],
  phones: [],
  enabled: true,
  consecutive_failures: 0,
  failing_since: null,
  disabled_at: null,
  disabled_reason: null,
  created_at: "2026-12-07T00:00:00.000Z",
  last_delivery: null,
};

Deno.test("an expiry rule sends its days, a readiness rule its framework and threshold", () => {
  const expiring = ruleBody({
    ...ruleDraft(),
    name: "Expiring",
    event: "suppression.expiring",
    threshold: "10",
  });
  assert.equal(expiring.errors, null);
  if (!expiring.errors) {
    assert.equal(expiring.body.days, 10);
    assert.equal(expiring.body.threshold, undefined);
  }
  const readiness = ruleBody({
    ...ruleDraft(),
    name: "SOC 2",
    event: "framework.readiness_below",
    threshold: "75",
    framework: "soc2_2017",
  });
  assert.equal(readiness.errors, null);
  if (!readiness.errors) {
    assert.deepEqual([readiness.body.threshold, readiness.body.framework], [75, "soc2_2017"]);
  }
  assert.equal(
    ruleCondition({
      event: "suppression.expiring",
      min_severity: "critical",
      threshold: 5,
      days: 3,
      framework: null,
    }),
    "Suppression expiring 3 days ahead",
  );
});

Deno.test("a security event rule sends its audit actions, and refuses what is not one", () => {
  const rule = ruleBody({
    ...ruleDraft(),
    name: "Sign-ins and keys",
    event: "security.event",
    actions: " auth.sign_in_failed, api_keys.*  members.change_role ",
  });
  assert.equal(rule.errors, null);
  if (!rule.errors) {
    assert.deepEqual(rule.body.actions, [
      "auth.sign_in_failed",
      "api_keys.*",
      "members.change_role",
    ]);
  }
  const bad = ruleBody({
    ...ruleDraft(),
    name: "x",
    event: "security.event",
    actions: "DROP TABLE",
  });
  assert.match(bad.errors!.actions!, /“DROP” is not an audit action/);
  const other = ruleBody({ ...ruleDraft(), name: "x", event: "job.failed", actions: "members.*" });
  assert.equal(other.errors, null);
  if (!other.errors) {
    assert.equal(other.body.actions, undefined, "only security rules send actions");
  }
  const base = { min_severity: "critical" as const, threshold: 5, days: 7, framework: null };
  assert.equal(
    ruleCondition({ ...base, event: "security.event", actions: ["members.*"] }),
    "Security event: members.*",
  );
  assert.equal(
    ruleCondition({ ...base, event: "security.event", actions: [] }),
    "Security event: any action",
  );
});

Deno.test("every channel kind and rule event has words for the UI", () => {
  for (const kind of keysOf(CHANNEL_KINDS)) {
    assert.ok(CHANNEL_KINDS[kind].label && CHANNEL_KINDS[kind].target.label, kind);
  }
  for (const event of keysOf(RULE_EVENTS)) assert.ok(RULE_EVENTS[event].label);
  assert.equal(
    ruleCondition({
      event: "score.drop",
      min_severity: "high",
      threshold: 5,
      days: 7,
      framework: null,
    }),
    "Score drop by 5+ points",
  );
  assert.equal(
    ruleCondition({
      event: "findings.new",
      min_severity: "critical",
      threshold: 5,
      days: 7,
      framework: null,
    }),
    "New findings: critical",
  );
  assert.equal(
    channelTarget({ ...slack, kind: "email", url: null, emails: ["a@x.io", "b@x.io"] }),
    "a@x.io, b@x.io",
  );
});

Deno.test("an email channel needs valid addresses, at most 50, and sends them as a list", () => {
  assert.deepEqual(splitList(" a@x.io, b@x.io;\nb@x.io  "), ["a@x.io", "b@x.io"]);
  const empty = channelBody({ kind: "email", name: "", url: "", list: "" });
  assert.ok(empty.errors?.name);
  assert.match(empty.errors!.list!, /at least one/);
  const bad = channelBody({ kind: "email", name: "Sec", url: "", list: "a@x.io, nope" });
  assert.equal(bad.errors?.list, "“nope” is not an email address.");
  const many = Array.from({ length: 51 }, (_, i) => `u${i}@x.io`).join(",");
  assert.match(
    channelBody({ kind: "email", name: "Sec", url: "", list: many }).errors!.list!,
    /At most 50/,
  );
  const ok = channelBody({ kind: "email", name: " Sec ", url: "", list: "a@x.io\nb@x.io" });
  assert.deepEqual(ok, {
    errors: null,
    body: { name: "Sec", kind: "email", emails: ["a@x.io", "b@x.io"] },
  });
});

Deno.test("a URL channel needs an http(s) URL; editing sends only what changed", () => {
  assert.match(
    channelBody({ kind: "webhook", name: "Hook", url: "", list: "" }).errors!.url!,
    /endpoint url/,
  );
  assert.match(
    channelBody({ kind: "webhook", name: "Hook", url: "siem", list: "" }).errors!.url!,
    /full URL/,
  );
  assert.match(
    channelBody({ kind: "webhook", name: "Hook", url: "ftp://x.io", list: "" }).errors!.url!,
    /https/,
  );
  // A masked Slack URL is not filled in; left empty it is kept.
  const draft = channelDraft(slack);
  assert.equal(draft.url, "");
  assert.deepEqual(channelBody({ ...draft, name: "SOC alerts" }, slack), {
    errors: null,
    body: { name: "SOC alerts" },
  });
  const moved = channelBody({ ...draft, url: "https://hooks.slack.com/services/T/B/new" }, slack);
  assert.deepEqual(moved, {
    errors: null,
    body: { url: "https://hooks.slack.com/services/T/B/new" },
  });
});

Deno.test("a rule checks its event's fields and who it notifies", () => {
  const draft = ruleDraft();
  assert.equal(draft.event, "findings.new");
  const none = ruleBody({ ...draft, name: "x", in_app_role: "" });
  assert.match(none.errors!.channels!, /at least one channel/);
  const drop = ruleBody({ ...draft, name: "Drop", event: "score.drop", threshold: "0" });
  assert.match(drop.errors!.threshold!, /1 to 100/);
  assert.match(
    ruleBody({ ...draft, name: "x", throttle_minutes: "2.5" }).errors!.throttle_minutes!,
    /0/,
  );
  const ok = ruleBody({
    ...draft,
    name: "Drop",
    event: "score.drop",
    threshold: "7",
    channel_ids: ["c1"],
  });
  assert.deepEqual(ok, {
    errors: null,
    body: {
      name: "Drop",
      event: "score.drop",
      threshold: 7,
      channel_ids: ["c1"],
      in_app_role: "admin",
      throttle_minutes: 60,
    },
  });
  const findings = ruleBody({ ...draft, name: "Crit", in_app_role: "", channel_ids: ["c1"] });
  assert.equal(findings.errors, null);
  if (findings.errors === null) {
    assert.equal(findings.body.min_severity, "critical");
    assert.equal(findings.body.threshold, undefined);
    assert.equal(findings.body.in_app_role, null);
  }
});

Deno.test("a refusal from the API lands under its field, or on the form", () => {
  const invalid = new ApiError(400, "The request body is not valid.", {
    code: "validation_failed",
    details: [{ path: "emails.1", message: "Invalid email address" }, {
      path: "x",
      message: "odd",
    }],
  });
  assert.deepEqual(apiErrors(invalid, { emails: "list" }, invalid.message), {
    list: "Invalid email address",
    form: "The request body is not valid: odd.",
  });
  const unreachable = new ApiError(422, "The webhook host resolves to a private address.", {
    code: "validation_failed",
  });
  assert.deepEqual(channelApiErrors(unreachable, "webhook", unreachable.message), {
    url: unreachable.message,
  });
  const forbidden = new ApiError(403, "Only admins can do that.");
  assert.deepEqual(channelApiErrors(forbidden, "email", forbidden.message), {
    form: forbidden.message,
  });
});
