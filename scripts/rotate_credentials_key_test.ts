import assert from "node:assert/strict";
import { generateKey, loadKeyring } from "../shared/instances/mod.ts";
import { openWebhookSecret, sealWebhookSecret } from "../shared/secrets/mod.ts";
import { createTestAuth, createTestDatabase } from "./testing/mod.ts";
import { main } from "./rotate_credentials_key.ts";

const tdb = await createTestDatabase();
const auth = await createTestAuth();
Deno.test.afterAll(() => tdb.close());

Deno.test("rotate_credentials_key re-encrypts every instance with the current key", async (t) => {
  const oldKey = `old:${generateKey()}`;
  const newKey = `new:${generateKey()}`;
  const before = await loadKeyring(oldKey);
  const ids: { id: string; orgId: string; password: string }[] = [];
  for (let i = 0; i < 5; i++) {
    const user = await auth.createUser(tdb.db, { orgName: `Rotate ${i}` });
    const id = crypto.randomUUID();
    const password = `pw-${i}-${crypto.randomUUID()}`;
    const envelope = await before.seal({ type: "basic", username: "svc", password }, {
      orgId: user.orgId!,
      instanceId: id,
    });
    await tdb.db.sql`
      insert into public.instances (id, org_id, name, url, auth_type, credentials)
      values (${id}, ${user.orgId}, 'i', 'https://i.service-now.com', 'basic', ${
      tdb.db.sql.json(envelope as never)
    })`;
    ids.push({ id, orgId: user.orgId!, password });
  }
  // Webhook secrets: a report webhook and a channel stored in plaintext (from
  // before sealing), a channel sealed with the old key.
  const hooks: {
    table: "report_webhook_secrets" | "notification_channels";
    id: string;
    orgId: string;
    secret: string;
  }[] = [];
  const whsec = () => `whsec_${btoa(crypto.randomUUID().replaceAll("-", ""))}`;
  {
    const orgId = ids[0]!.orgId;
    const definitionId = crypto.randomUUID();
    await tdb.db.sql`
      insert into public.report_definitions (id, org_id, name, spec, format)
      values (${definitionId}, ${orgId}, 'r', ${tdb.db.sql.json({ title: "r" })}, 'pdf')`;
    const plainReport = whsec();
    await tdb.db.sql`
      insert into public.report_webhook_secrets (definition_id, org_id, secret)
      values (${definitionId}, ${orgId}, ${plainReport})`;
    hooks.push({ table: "report_webhook_secrets", id: definitionId, orgId, secret: plainReport });
    for (const form of ["plain", "old"] as const) {
      const id = crypto.randomUUID();
      const secret = whsec();
      const binding = { table: "notification_channels" as const, orgId, id };
      const sealed = form === "old" ? await sealWebhookSecret(secret, binding, before) : null;
      await tdb.db.sql`
        insert into public.notification_channels (id, org_id, name, kind, url, secret, secret_sealed)
        values (${id}, ${orgId}, ${form}, 'webhook', 'https://hooks.example.com/c',
                ${form === "plain" ? secret : null},
                ${sealed ? tdb.db.sql.json(sealed as never) : null})`;
      hooks.push({ ...binding, secret });
    }
  }
  const env = { CREDENTIALS_KEYS: `${oldKey},${newKey}`, CREDENTIALS_KEY_ID: "new" };
  const out: string[] = [];

  await t.step("a dry run changes nothing", async () => {
    assert.equal(
      await main(["--dry-run", "--batch", "2"], env, (l) => out.push(l), { db: tdb.db }),
      0,
    );
    const kids = await tdb.db.sql`select distinct credentials->>'kid' as kid from public.instances`;
    assert.deepEqual(kids.map((k) => k.kid), ["old"]);
    const [plain] = await tdb.db.sql<{ n: number }[]>`
      select count(*)::int as n from public.notification_channels where secret is not null`;
    assert.equal(plain!.n, 1, "the dry run seals nothing");
  });
  await t.step("a real run seals everything with the new key", async () => {
    assert.equal(await main(["--batch", "2"], env, (l) => out.push(l), { db: tdb.db }), 0);
    const kids = await tdb.db.sql`select distinct credentials->>'kid' as kid from public.instances`;
    assert.deepEqual(kids.map((k) => k.kid), ["new"]);
    assert.match(out.at(-1)!, /older keys can be removed/);
  });
  await t.step(
    "webhook secrets: sealed with the new key, no plaintext left, the same secrets",
    async () => {
      const after = await loadKeyring(newKey);
      for (const hook of hooks) {
        const idColumn = hook.table === "report_webhook_secrets" ? "definition_id" : "id";
        const [row] = await tdb.db.sql<{ secret: string | null; secret_sealed: { kid: string } }[]>`
        select secret, secret_sealed from ${tdb.db.sql(`public.${hook.table}`)}
        where ${tdb.db.sql(idColumn)} = ${hook.id}`;
        assert.equal(row!.secret, null, `${hook.table}: the plaintext column is empty`);
        assert.equal(row!.secret_sealed.kid, "new");
        assert.ok(!JSON.stringify(row!.secret_sealed).includes(hook.secret.slice(6)));
        assert.equal(await openWebhookSecret(row!, hook, after), hook.secret);
      }
      assert.match(out.join("\n"), /3 sealed \(2 were plaintext\)/);
    },
  );
  await t.step("the new key alone opens every credential", async () => {
    const after = await loadKeyring(newKey);
    for (const { id, orgId, password } of ids) {
      const [row] = await tdb.db.sql`select credentials from public.instances where id = ${id}`;
      const opened = await after.open(row!.credentials, { orgId, instanceId: id });
      assert.equal(opened.type === "basic" && opened.password, password);
    }
  });
  await t.step("no secret or key appears in the output", () => {
    const text = out.join("\n");
    for (const { password } of ids) assert.ok(!text.includes(password));
    for (const { secret } of hooks) assert.ok(!text.includes(secret.slice(6)));
    assert.ok(!text.includes(oldKey.slice(4)) && !text.includes(newKey.slice(4)));
  });
  await t.step("running again is a no-op", async () => {
    out.length = 0;
    assert.equal(await main([], env, (l) => out.push(l), { db: tdb.db }), 0);
    assert.match(out.join("\n"), /0 re-encrypted, \d+ already current/);
  });
});

Deno.test("rotate_credentials_key reports credentials no key can open and exits 1", async () => {
  const user = await auth.createUser(tdb.db, { orgName: "Lost key" });
  const lost = await loadKeyring(`lost:${generateKey()}`);
  const id = crypto.randomUUID();
  const envelope = await lost.seal({ type: "basic", username: "u", password: "p" }, {
    orgId: user.orgId!,
    instanceId: id,
  });
  await tdb.db.sql`
    insert into public.instances (id, org_id, name, url, auth_type, credentials)
    values (${id}, ${user.orgId}, 'lost', 'https://lost.service-now.com', 'basic', ${
    tdb.db.sql.json(envelope as never)
  })`;
  const out: string[] = [];
  const code = await main([], { CREDENTIALS_KEYS: `k:${generateKey()}` }, (l) => out.push(l), {
    db: tdb.db,
  });
  assert.equal(code, 1);
  assert.match(out.join("\n"), new RegExp(`instance ${id}: .*"lost" is not in CREDENTIALS_KEYS`));
});

Deno.test("rotate_credentials_key --generate-key prints a usable keyring entry", async () => {
  const out: string[] = [];
  assert.equal(await main(["--generate-key", "k2027"], {}, (l) => out.push(l), { db: tdb.db }), 0);
  const ring = await loadKeyring(out[0]!);
  assert.equal(ring.currentKid, "k2027");
  assert.equal(
    await main(["--generate-key", "bad id!"], {}, (l) => out.push(l), { db: tdb.db }),
    2,
  );
});
