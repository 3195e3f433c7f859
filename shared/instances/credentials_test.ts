import assert from "node:assert/strict";
import {
  CredentialsError,
  generateKey,
  type InstanceCredentials,
  loadKeyring,
} from "./credentials.ts";

const binding = { orgId: crypto.randomUUID(), instanceId: crypto.randomUUID() };
const basic: InstanceCredentials = { type: "basic", username: "svc.ciq", password: "S3cret!pass" };

Deno.test("a keyring seals credentials that only the same instance can open", async (t) => {
  const ring = await loadKeyring(`k1:${generateKey()}`);
  const envelope = await ring.seal(basic, binding);

  await t.step("the envelope names its key and hides the secret", () => {
    assert.equal(envelope.kid, "k1");
    assert.equal(envelope.v, 1);
    const text = JSON.stringify(envelope);
    assert.ok(!text.includes("S3cret"), text);
    assert.ok(!text.includes("svc.ciq"), text);
  });
  await t.step("it opens back to the same credentials", async () => {
    assert.deepEqual(await ring.open(envelope, binding), basic);
  });
  await t.step("two seals of the same credentials differ (fresh IV)", async () => {
    const again = await ring.seal(basic, binding);
    assert.notEqual(again.iv, envelope.iv);
    assert.notEqual(again.ciphertext, envelope.ciphertext);
  });
  await t.step("an envelope copied to another instance does not open", async () => {
    await assert.rejects(
      ring.open(envelope, { ...binding, instanceId: crypto.randomUUID() }),
      CredentialsError,
    );
  });
  await t.step("a tampered ciphertext does not open", async () => {
    const bytes = atob(envelope.ciphertext).split("");
    bytes[0] = String.fromCharCode(bytes[0]!.charCodeAt(0) ^ 1);
    await assert.rejects(
      ring.open({ ...envelope, ciphertext: btoa(bytes.join("")) }, binding),
      /authentication failed/,
    );
  });
  await t.step("a malformed envelope is refused without details", async () => {
    await assert.rejects(ring.open({ kid: "k1" }, binding), /envelope is malformed/);
  });
});

Deno.test("a rotated keyring opens old envelopes and seals with the new key", async () => {
  const oldKey = generateKey();
  const before = await loadKeyring(`old:${oldKey}`);
  const envelope = await before.seal(
    { type: "oauth_client_credentials", client_id: "abc", client_secret: "xyz" },
    binding,
  );
  const after = await loadKeyring(`old:${oldKey},new:${generateKey()}`, "new");
  assert.deepEqual(after.kids, ["new", "old"]);
  assert.equal((await after.open(envelope, binding)).type, "oauth_client_credentials");
  assert.equal((await after.seal(basic, binding)).kid, "new");
  const withoutOld = await loadKeyring(`new:${generateKey()}`);
  await assert.rejects(withoutOld.open(envelope, binding), /key "old" is not in CREDENTIALS_KEYS/);
});

Deno.test("loadKeyring() refuses bad key material with a clear message", async (t) => {
  const cases: [string, string | undefined, RegExp][] = [
    ["", undefined, /is empty/],
    [`k1:${btoa("short")}`, undefined, /has 5 bytes, AES-256 needs 32/],
    [`k1:${generateKey()},k1:${generateKey()}`, undefined, /appears twice/],
    [`k1:${generateKey()},k2:${generateKey()}`, undefined, /set CREDENTIALS_KEY_ID/],
    [`k1:${generateKey()}`, "k9", /"k9" is not in CREDENTIALS_KEYS/],
    [`:${generateKey()}`, undefined, /no valid key id/],
  ];
  for (const [spec, current, message] of cases) {
    await t.step(message.source, async () => {
      await assert.rejects(loadKeyring(spec, current), message);
    });
  }
});

Deno.test("seal() refuses credentials missing a secret", async () => {
  const ring = await loadKeyring(`k1:${generateKey()}`);
  await assert.rejects(
    ring.seal({ type: "basic", username: "u", password: "" } as InstanceCredentials, binding),
  );
});
