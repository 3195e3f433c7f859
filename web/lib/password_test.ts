import assert from "node:assert/strict";
import { passwordStrength } from "./password.ts";

Deno.test("passwordStrength() rates passwords a user would recognise", async (t) => {
  await t.step("empty says nothing", () => {
    assert.equal(passwordStrength("").label, "");
  });
  await t.step("short passwords are refused with the minimum", () => {
    const result = passwordStrength("Ab1!");
    assert.equal(result.label, "Too short");
    assert.equal(result.acceptable, false);
    assert.match(result.hints[0] ?? "", /at least 10/);
  });
  await t.step("a long passphrase is strong", () => {
    assert.equal(passwordStrength("correct horse battery staple").label, "Strong");
  });
  await t.step("repeats and sequences are weak", () => {
    const result = passwordStrength("aaaaaaaaaa");
    assert.equal(result.acceptable, false);
    assert.ok(result.hints.some((hint) => /repeated/.test(hint)));
  });
  await t.step("a password containing the email's name is marked down", () => {
    const plain = passwordStrength("Marguerite-2026!");
    const personal = passwordStrength("Marguerite-2026!", ["marguerite", "example"]);
    assert.ok(personal.score < plain.score);
    assert.ok(personal.hints.some((hint) => /your own name or email/.test(hint)));
  });
});
