import assert from "node:assert/strict";
import { effectiveSettingValue, HARDENING_SETTINGS, isSettingCompliant } from "./catalog.ts";

const setting = (name: string) => HARDENING_SETTINGS.find((s) => s.name === name)!;

Deno.test("effectiveSettingValue() uses the record, else the fallback, else the default", () => {
  assert.equal(effectiveSettingValue(setting("glide.ui.session_timeout"), "120"), "120");
  assert.equal(effectiveSettingValue(setting("glide.ui.session_timeout"), undefined), "30");
  assert.equal(effectiveSettingValue(setting("glide.ldap.use.ssl"), undefined), "true");
  assert.equal(effectiveSettingValue(setting("glide.login.no_blank_password"), undefined), null);
});

Deno.test("isSettingCompliant() applies each rule kind", () => {
  assert.equal(isSettingCompliant(setting("glide.ui.session_timeout"), "60"), true);
  assert.equal(isSettingCompliant(setting("glide.ui.session_timeout"), "61"), false);
  assert.equal(isSettingCompliant(setting("glide.ui.session_timeout"), ""), false);
  assert.equal(isSettingCompliant(setting("glide.security.strict.updates"), "true"), true);
  assert.equal(isSettingCompliant(setting("glide.security.strict.updates"), " true "), true);
  assert.equal(isSettingCompliant(setting("glide.security.strict.updates"), "false"), false);
  assert.equal(isSettingCompliant(setting("glide.ui.active.session.life_span"), "0"), false);
  assert.equal(isSettingCompliant(setting("glide.ui.active.session.life_span"), "720"), true);
  assert.equal(
    isSettingCompliant(setting("glide.oauth.clients.allowed.for.implicit.grant"), ""),
    true,
  );
  assert.equal(
    isSettingCompliant(setting("glide.oauth.clients.allowed.for.implicit.grant"), "x"),
    false,
  );
  assert.equal(isSettingCompliant(setting("com.glide.high_security"), "active"), true);
  assert.equal(isSettingCompliant(setting("com.glide.high_security"), "inactive"), false);
  assert.equal(isSettingCompliant(setting("glide.login.no_blank_password"), null), false);
});

Deno.test("HARDENING_SETTINGS has unique names and a fallback or default for most entries", () => {
  const names = HARDENING_SETTINGS.map((s) => s.name);
  assert.equal(new Set(names).size, names.length);
  assert.ok(HARDENING_SETTINGS.filter((s) => s.kind === "property").length >= 70);
});
