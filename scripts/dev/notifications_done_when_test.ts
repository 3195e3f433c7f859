// Issue 15's done-when, end to end through the dev stack: a rule for new
// critical findings, an analysis run after a sync of the simulated instance
// (QStash stand-in → tasks function → alert rules) → an email in the dev
// mailbox, a signed webhook that a local receiver verifies with the
// `standardwebhooks` library, and an in-app notification in the inbox.
import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import { apiCaller, jobsOf, mailbox, signIn, waitFor } from "./_done_when.ts";
import { startStack } from "./stack.ts";

const ALERT_EMAIL = "security-alerts@complianceiq.local";

Deno.test("a run with new critical findings emails the dev mailbox, posts a verified webhook and notifies in-app", async () => {
  // The receiver verifies each POST with the secret it is given once the channel exists.
  let secret = "";
  const verified: { type: string; data: Record<string, unknown> }[] = [];
  const rejected: string[] = [];
  const receiver = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (req) => {
      const body = await req.text();
      try {
        verified.push(new Webhook(secret).verify(body, Object.fromEntries(req.headers)) as never);
        return new Response(null, { status: 204 });
      } catch (error) {
        rejected.push((error as Error).message);
        return new Response("bad signature", { status: 400 });
      }
    },
  );
  const stack = await startStack({ port: 0, quiet: true, fresh: true, demoSync: false });
  try {
    const token = await signIn(stack);
    const call = apiCaller(stack, token);
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await call(method, path, body);
      assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${res.text}`);
      return res.body?.data ?? null;
    };
    const org = stack.demo.orgId;
    const diagnose = jobsOf(stack, token, org);
    const email = await api("POST", `/notifications/${org}/channels`, {
      name: "Security team",
      kind: "email",
      emails: [ALERT_EMAIL],
    });
    const hook = await api("POST", `/notifications/${org}/channels`, {
      name: "SIEM",
      kind: "webhook",
      url: `http://127.0.0.1:${receiver.addr.port}/ciq`,
    });
    secret = hook.secret;
    await api("POST", `/notifications/${org}/rules`, {
      name: "New critical findings",
      event: "findings.new",
      min_severity: "critical",
      channel_ids: [email.id, hook.id],
      in_app_role: "admin",
    });

    // A sync of the simulated instance; the product analyses it afterwards.
    await api("POST", `/instances/${stack.demoInstanceId}/sync`, { mode: "full" });
    const inbox = await waitFor("the in-app notification of new critical findings", async () => {
      const { body } = await call("GET", `/notifications/${org}/inbox`);
      return body.data.find((n: { event: string }) => n.event === "findings.new");
    }, { diagnose });
    assert.match(inbox.title, /new critical findings on/);
    assert.match(inbox.link, /\/app\/analysis$/);

    const mail = await waitFor(
      "the alert email",
      async () => (await mailbox(stack, ALERT_EMAIL))[0],
      { diagnose },
    );
    assert.equal(mail.subject, `[ComplianceIQ] ${inbox.title}`);
    assert.match(mail.html, /<h1/);

    await waitFor("the verified webhook", () => Promise.resolve(verified[0]), { diagnose });
    assert.deepEqual(rejected, []);
    assert.equal(verified[0]!.type, "alert.findings.new");
    assert.ok(Number(verified[0]!.data.critical) > 0);
    assert.equal(verified[0]!.data.title, inbox.title);
  } finally {
    await stack.stop();
    await receiver.shutdown();
  }
});
