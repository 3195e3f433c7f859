// Issue 15's done-when, end to end through the dev stack: a rule for new
// critical findings, an analysis run after a sync of the simulated instance
// (QStash stand-in → tasks function → alert rules) → an email in the dev
// mailbox, a signed webhook that a local receiver verifies with the
// `standardwebhooks` library, and an in-app notification in the inbox.
import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
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
    const token = await signIn(stack.url, stack.auth.anonKey, stack.demo);
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${stack.url}/functions/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
      return text ? JSON.parse(text).data : null;
    };
    const org = stack.demo.orgId;
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
    const inbox = await waitFor(async () => {
      const data = await fetch(`${stack.url}/functions/v1/notifications/${org}/inbox`, {
        headers: { authorization: `Bearer ${token}` },
      }).then((r) => r.json());
      return data.data.find((n: { event: string }) => n.event === "findings.new") ?? null;
    });
    assert.match(inbox.title, /new critical findings on/);
    assert.match(inbox.link, /\/app\/analysis$/);

    const mail = await waitFor(async () => {
      const res = await fetch(
        `${stack.url}/auth/v1/_dev/mailbox?to=${encodeURIComponent(ALERT_EMAIL)}`,
      );
      const { messages } = await res.json() as { messages: { subject: string; html: string }[] };
      return messages[0] ?? null;
    });
    assert.equal(mail.subject, `[ComplianceIQ] ${inbox.title}`);
    assert.match(mail.html, /<h1/);

    await waitFor(() => Promise.resolve(verified[0] ?? null));
    assert.deepEqual(rejected, []);
    assert.equal(verified[0]!.type, "alert.findings.new");
    assert.ok(Number(verified[0]!.data.critical) > 0);
    assert.equal(verified[0]!.data.title, inbox.title);
  } finally {
    await stack.stop();
    await receiver.shutdown();
  }
});

async function signIn(
  url: string,
  anonKey: string,
  demo: { email: string; password: string },
): Promise<string> {
  const res = await fetch(`${url}/auth/v1/token?grant_type=password`, {
    method: "POST",
    headers: { "content-type": "application/json", apikey: anonKey },
    body: JSON.stringify({ email: demo.email, password: demo.password }),
  });
  const body = await res.json();
  assert.equal(res.status, 200, JSON.stringify(body));
  return body.access_token;
}

/** Polls `probe` until it returns something (the run takes a while on a loaded machine). */
async function waitFor<T>(probe: () => Promise<T | null>, seconds = 300): Promise<T> {
  for (let i = 0; i < seconds * 4; i++) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Nothing arrived within ${seconds} s`);
}
