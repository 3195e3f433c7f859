// Webhook secrets sealed with the credentials keyring: bound to their row,
// opened by any key of the ring, plaintext from before sealing passed through.
import assert from "node:assert/strict";
import { CredentialsError, generateKey, loadKeyring } from "../instances/credentials.ts";
import { openWebhookSecret, sealWebhookSecret } from "./webhook_secrets.ts";

const secret = `whsec_${btoa("0123456789abcdef0123456789abcdef")}`;
const binding = {
  table: "notification_channels" as const,
  orgId: crypto.randomUUID(),
  id: crypto.randomUUID(),
};

Deno.test("a sealed secret holds no plaintext and opens for its own row only", async () => {
  const ring = await loadKeyring(`k1:${generateKey()}`);
  const sealed = await sealWebhookSecret(secret, binding, ring);
  assert.equal(sealed.kid, "k1");
  assert.ok(!JSON.stringify(sealed).includes(secret.slice(6)));
  assert.equal(
    await openWebhookSecret({ secret: null, secret_sealed: sealed }, binding, ring),
    secret,
  );
  for (
    const other of [
      { ...binding, id: crypto.randomUUID() },
      { ...binding, orgId: crypto.randomUUID() },
      { ...binding, table: "report_webhook_secrets" as const },
    ]
  ) {
    await assert.rejects(
      openWebhookSecret({ secret: null, secret_sealed: sealed }, other, ring),
      (e: Error) => e instanceof CredentialsError && /authentication failed/.test(e.message),
    );
  }
});

Deno.test("an older key of the ring still opens; a ring without it says which key is missing", async () => {
  const oldKey = `old:${generateKey()}`;
  const sealed = await sealWebhookSecret(secret, binding, await loadKeyring(oldKey));
  const both = await loadKeyring(`${oldKey},new:${generateKey()}`, "new");
  assert.equal(
    await openWebhookSecret({ secret: null, secret_sealed: sealed }, binding, both),
    secret,
  );
  await assert.rejects(
    openWebhookSecret(
      { secret: null, secret_sealed: sealed },
      binding,
      await loadKeyring(`new:${generateKey()}`),
    ),
    /key "old" is not in CREDENTIALS_KEYS/,
  );
});

Deno.test("a plaintext secret from before sealing is used as is; no secret is null", async () => {
  const ring = await loadKeyring(`k1:${generateKey()}`);
  assert.equal(await openWebhookSecret({ secret, secret_sealed: null }, binding, ring), secret);
  assert.equal(await openWebhookSecret({ secret: null, secret_sealed: null }, binding, ring), null);
});
