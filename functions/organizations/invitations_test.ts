// Invitations through the API: an admin invites by email, the link arrives by
// mail, and whoever holds it signs in (or signs up) with the invited address
// and joins. Links are single use, expire, die when resent or revoked, and the
// answers never tell whether an address has an account.
import assert from "node:assert/strict";
import {
  createTestAuth,
  createTestDatabase,
  createTestServices,
  type TestUser,
} from "../../scripts/testing/mod.ts";
import { createOrganizationsApp } from "./app.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
const services = createTestServices(tdb.db, auth, { PUBLIC_URL: "https://app.example.test" });
const app = createOrganizationsApp(services);
Deno.test.afterAll(() => tdb.close());

async function call(token: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await app.request(`http://localhost/organizations${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

function assertError(res: { status: number; body: unknown }, status: number, code: string) {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal((res.body as { error: { code: string } }).error.code, code);
}

const unique = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}@invite.test`;

/** The secret of the newest email sent to `email`. */
function tokenSentTo(email: string): string {
  const mail = services.mailer.sent.findLast((m) => m.to === email);
  assert.ok(mail, `an email went to ${email}`);
  const token = new URL(mail.link).hash.replace(/^#token=/, "");
  assert.match(token, /^[A-Za-z0-9_-]{43}$/);
  return token;
}

/** A new account for `email`, as signing up from the link creates one (no organization of its own). */
async function signUp(email: string): Promise<TestUser> {
  return await auth.createUser(tdb.db, { email });
}

async function setup(name: string) {
  const owner = await auth.createUser(tdb.db, { orgName: name });
  const orgId = owner.orgId!;
  return { owner, orgId };
}

async function roleOf(orgId: string, userId: string): Promise<string | null> {
  const [row] = await tdb.db.sql<{ role: string }[]>`
    select role from public.memberships where org_id = ${orgId} and user_id = ${userId}`;
  return row?.role ?? null;
}

Deno.test("a new person signs up from the emailed link and joins with the invited role", async () => {
  const { owner, orgId } = await setup("Invite Co");
  const email = unique("newcomer");
  const created = await call(owner.token, "POST", `/${orgId}/invitations`, {
    email: email.toUpperCase(),
    role: "analyst",
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.data.email, email);
  assert.equal(created.body.data.status, "pending");
  assert.equal(created.body.data.invited_by_email, owner.email);

  const mail = services.mailer.sent.at(-1)!;
  assert.equal(mail.to, email);
  assert.match(mail.subject, /Join Invite Co on ComplianceIQ/);
  assert.ok(mail.link.startsWith("https://app.example.test/invite#token="));
  assert.ok(mail.text.includes(mail.link) && mail.html.includes("Accept the invitation"));
  const token = tokenSentTo(email);
  // The secret is not stored: only its hash.
  const [stored] = await tdb.db.sql<{ hex: string }[]>`
    select encode(token_hash, 'hex') as hex from public.invitations where email = ${email}`;
  assert.notEqual(stored!.hex, token);
  assert.ok(!stored!.hex.includes(token));

  const preview = await call(null, "POST", "/invitations/lookup", { token });
  assert.equal(preview.status, 200);
  assert.deepEqual(
    { ...preview.body.data, expires_at: "x" },
    {
      organization_name: "Invite Co",
      email,
      role: "analyst",
      status: "pending",
      expires_at: "x",
      invited_by: owner.email,
    },
  );

  const newcomer = await signUp(email);
  const accepted = await call(newcomer.token, "POST", "/invitations/accept", { token });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.deepEqual(accepted.body.data, { org_id: orgId, role: "analyst" });
  assert.equal(await roleOf(orgId, newcomer.id), "analyst");
  const list = await call(owner.token, "GET", `/${orgId}/invitations`);
  assert.equal(list.body.data[0].status, "accepted");
  assert.ok(list.body.data[0].accepted_at);
});

Deno.test("someone with an account accepts with it; a link works once", async () => {
  const { owner, orgId } = await setup("Existing Co");
  const existing = await auth.createUser(tdb.db, {
    email: unique("existing"),
    orgName: "Their Own Org",
  });
  await call(owner.token, "POST", `/${orgId}/invitations`, {
    email: existing.email,
    role: "viewer",
  });
  const token = tokenSentTo(existing.email);
  assert.equal((await call(existing.token, "POST", "/invitations/accept", { token })).status, 200);
  assert.equal(await roleOf(orgId, existing.id), "viewer");
  assert.equal(await roleOf(existing.orgId!, existing.id), "owner", "keeps their own org");

  assertError(
    await call(existing.token, "POST", "/invitations/accept", { token }),
    409,
    "invitation_used",
  );
  const preview = await call(null, "POST", "/invitations/lookup", { token });
  assert.equal(preview.body.data.status, "accepted");
});

Deno.test("an expired link is refused with 410 and can be sent again", async () => {
  const { owner, orgId } = await setup("Expiry Co");
  const email = unique("late");
  const created = await call(owner.token, "POST", `/${orgId}/invitations`, {
    email,
    role: "viewer",
  });
  const token = tokenSentTo(email);
  await tdb.db.sql`update public.invitations set expires_at = now() - interval '1 minute'
                   where id = ${created.body.data.id}`;
  const late = await signUp(email);
  assertError(
    await call(late.token, "POST", "/invitations/accept", { token }),
    410,
    "invitation_expired",
  );
  assert.equal(await roleOf(orgId, late.id), null);
  const list = await call(owner.token, "GET", `/${orgId}/invitations`);
  assert.equal(list.body.data[0].status, "expired");

  const resent = await call(
    owner.token,
    "POST",
    `/${orgId}/invitations/${created.body.data.id}/resend`,
  );
  assert.equal(resent.status, 200, JSON.stringify(resent.body));
  assert.equal(resent.body.data.status, "pending");
  assert.equal(resent.body.data.send_count, 2);
  const fresh = tokenSentTo(email);
  assert.notEqual(fresh, token);
  assert.equal(
    (await call(late.token, "POST", "/invitations/accept", { token: fresh })).status,
    200,
  );
});

Deno.test("resending kills the old link; revoking kills the link", async () => {
  const { owner, orgId } = await setup("Resend Co");
  const email = unique("twice");
  const created = await call(owner.token, "POST", `/${orgId}/invitations`, {
    email,
    role: "auditor",
  });
  const first = tokenSentTo(email);
  await call(owner.token, "POST", `/${orgId}/invitations/${created.body.data.id}/resend`);
  const second = tokenSentTo(email);
  const person = await signUp(email);
  assertError(
    await call(person.token, "POST", "/invitations/accept", { token: first }),
    404,
    "invitation_not_found",
  );
  assertError(
    await call(null, "POST", "/invitations/lookup", { token: first }),
    404,
    "invitation_not_found",
  );

  const revoked = await call(
    owner.token,
    "POST",
    `/${orgId}/invitations/${created.body.data.id}/revoke`,
  );
  assert.equal(revoked.status, 200);
  assert.equal(revoked.body.data.status, "revoked");
  assertError(
    await call(person.token, "POST", "/invitations/accept", { token: second }),
    404,
    "invitation_not_found",
  );
  assert.equal(await roleOf(orgId, person.id), null);
  assertError(
    await call(owner.token, "POST", `/${orgId}/invitations/${created.body.data.id}/resend`),
    409,
    "invitation_closed",
  );
  // The address can be invited afresh.
  assert.equal(
    (await call(owner.token, "POST", `/${orgId}/invitations`, { email, role: "viewer" })).status,
    201,
  );
});

Deno.test("only the invited address can accept", async () => {
  const { owner, orgId } = await setup("Forwarded Co");
  const email = unique("intended");
  await call(owner.token, "POST", `/${orgId}/invitations`, { email, role: "viewer" });
  const token = tokenSentTo(email);
  const someoneElse = await auth.createUser(tdb.db, { email: unique("forwarded") });
  assertError(
    await call(someoneElse.token, "POST", "/invitations/accept", { token }),
    403,
    "invitation_email_mismatch",
  );
  assert.equal(await roleOf(orgId, someoneElse.id), null);
  assertError(await call(null, "POST", "/invitations/accept", { token }), 401, "missing_token");
});

Deno.test("inviting answers alike for addresses with and without an account", async () => {
  const { owner, orgId } = await setup("Enumeration Target");
  const known = await auth.createUser(tdb.db, { email: unique("known"), name: "Quentin Private" });
  const unknown = unique("nobody");
  const invite = (email: string) =>
    call(owner.token, "POST", `/${orgId}/invitations`, { email, role: "viewer" });
  const normalize = (r: { status: number; body: { data: Record<string, unknown> } }) => ({
    status: r.status,
    keys: Object.keys(r.body.data).sort(),
    role: r.body.data.role,
    status_field: r.body.data.status,
  });
  const forKnown = await invite(known.email);
  const forUnknown = await invite(unknown);
  assert.deepEqual(normalize(forKnown), normalize(forUnknown));
  for (const res of [forKnown, forUnknown]) {
    assert.ok(!JSON.stringify(res.body).includes("Quentin"));
    assert.ok(!JSON.stringify(res.body).includes(known.id));
  }
  // Both got the same email; neither joined.
  assert.equal(services.mailer.sent.filter((m) => m.to === known.email).length, 1);
  assert.equal(services.mailer.sent.filter((m) => m.to === unknown).length, 1);
  assert.equal(await roleOf(orgId, known.id), null);
  // Inviting again is refused alike too.
  assertError(await invite(known.email), 409, "already_invited");
  assertError(await invite(unknown), 409, "already_invited");
});

Deno.test("invitations follow the roles and the member limit", async (t) => {
  const { owner, orgId } = await setup("Rules Co");
  const admin = await auth.createUser(tdb.db, { email: unique("admin") });
  const analyst = await auth.createUser(tdb.db, { email: unique("analyst") });
  await tdb.db.sql`insert into public.memberships (org_id, user_id, role)
    values (${orgId}, ${admin.id}, 'admin'), (${orgId}, ${analyst.id}, 'analyst')`;

  await t.step("an admin invites; an analyst may neither invite nor list", async () => {
    assert.equal(
      (await call(admin.token, "POST", `/${orgId}/invitations`, {
        email: unique("by-admin"),
        role: "admin",
      })).status,
      201,
    );
    assertError(
      await call(analyst.token, "POST", `/${orgId}/invitations`, {
        email: unique("x"),
        role: "viewer",
      }),
      403,
      "insufficient_role",
    );
    assertError(
      await call(analyst.token, "GET", `/${orgId}/invitations`),
      403,
      "insufficient_role",
    );
  });
  await t.step("nobody is invited as owner", async () => {
    const res = await call(owner.token, "POST", `/${orgId}/invitations`, {
      email: unique("boss"),
      role: "owner",
    });
    assertError(res, 400, "validation_failed");
  });
  await t.step("a current member is not invited again", async () => {
    assertError(
      await call(owner.token, "POST", `/${orgId}/invitations`, {
        email: analyst.email,
        role: "viewer",
      }),
      409,
      "already_member",
    );
  });
  await t.step(
    "open invitations take seats; a full organization refuses everyone alike",
    async () => {
      // Members and open invitations together fill the plan's member limit.
      const [plan] = await tdb.db.sql<{ members: number; plan: string }[]>`
        select p.max_members as members, o.plan::text as plan
        from public.organizations o join public.plans p on p.plan = o.plan
        where o.id = ${orgId}`;
      const taken = async () => {
        const [row] = await tdb.db.sql<{ n: number }[]>`
          select ((select count(*) from public.memberships where org_id = ${orgId})
               + (select count(*) from public.invitations
                  where org_id = ${orgId} and status = 'pending'))::int as n`;
        return row!.n;
      };
      while (await taken() < plan!.members) {
        const res = await call(owner.token, "POST", `/${orgId}/invitations`, {
          email: unique("seat"),
          role: "viewer",
        });
        assert.equal(res.status, 201);
      }
      const known = await auth.createUser(tdb.db, { email: unique("known") });
      for (const email of [known.email, unique("ghost")]) {
        const res = await call(owner.token, "POST", `/${orgId}/invitations`, {
          email,
          role: "viewer",
        });
        assertError(res, 402, "plan_limit_reached");
        assert.equal(res.body.error.details.limit, "members");
        assert.equal(res.body.error.details.allowed, plan!.members);
        assert.equal(res.body.error.details.used, plan!.members);
        assert.equal(res.body.error.details.plan, plan!.plan);
      }
    },
  );
  await t.step("outsiders get 404", async () => {
    const stranger = await auth.createUser(tdb.db, { orgName: "Elsewhere" });
    assertError(await call(stranger.token, "GET", `/${orgId}/invitations`), 404, "not_found");
  });
});

Deno.test("the database refuses an acceptance past the member limit", async () => {
  const { owner, orgId } = await setup("Seat Race Co");
  const emails = [unique("seat-a"), unique("seat-b")];
  for (const email of emails) {
    await call(owner.token, "POST", `/${orgId}/invitations`, { email, role: "viewer" });
  }
  const tokens = emails.map(tokenSentTo);
  const people = await Promise.all(emails.map(signUp));
  // The plan shrank after the invitations went out: one seat left.
  await tdb.db.sql`update public.organizations set max_users = 2 where id = ${orgId}`;
  const results = await Promise.all(
    people.map((p, i) => call(p.token, "POST", "/invitations/accept", { token: tokens[i] })),
  );
  assert.deepEqual(results.map((r) => r.status).sort(), [200, 409]);
  assertError(results.find((r) => r.status === 409)!, 409, "member_limit_reached");
  const [count] = await tdb.db.sql<{ n: number }[]>`
    select count(*)::int as n from public.memberships where org_id = ${orgId}`;
  assert.equal(count!.n, 2);
});

Deno.test("invitations replace adding an account by email: POST /:orgId/members does not exist", async () => {
  const { owner, orgId } = await setup("No Shortcut Co");
  const known = await auth.createUser(tdb.db, { email: unique("known-direct") });
  const res = await call(owner.token, "POST", `/${orgId}/members`, {
    email: known.email,
    role: "viewer",
  });
  assert.equal(res.status, 404, JSON.stringify(res.body));
  assert.equal(await roleOf(orgId, known.id), null);
  assert.equal(services.mailer.sent.some((m) => m.to === known.email), false);
});

Deno.test("an email that cannot be sent leaves no invitation behind", async () => {
  const { owner, orgId } = await setup("Outage Co");
  services.mailer.failing = true;
  try {
    const res = await call(owner.token, "POST", `/${orgId}/invitations`, {
      email: unique("unlucky"),
      role: "viewer",
    });
    assertError(res, 502, "mail_failed");
  } finally {
    services.mailer.failing = false;
  }
  const list = await call(owner.token, "GET", `/${orgId}/invitations`);
  assert.deepEqual(list.body.data, []);
});

Deno.test("a malformed token is refused before any lookup", async () => {
  assertError(
    await call(null, "POST", "/invitations/lookup", { token: "short" }),
    400,
    "validation_failed",
  );
});
