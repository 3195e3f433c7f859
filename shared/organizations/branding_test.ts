import assert from "node:assert/strict";
import { logoBytes, MAX_LOGO_BYTES } from "./branding.ts";
import { orgSettingsSchema } from "./schemas.ts";

const PNG =
  "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

Deno.test("a PNG or JPEG logo is taken by its bytes, anything else is refused", () => {
  assert.equal(logoBytes(PNG)?.[1], 0x50);
  const jpeg = `data:image/jpeg;base64,${btoa("\xff\xd8\xff\xe0rest")}`;
  assert.ok(logoBytes(jpeg));
  // The type says PNG, the bytes are a JPEG: refused.
  assert.equal(logoBytes(jpeg.replace("jpeg", "png")), undefined);
  assert.equal(logoBytes("data:image/gif;base64,R0lGODlhAQABAAAAACw="), undefined);
  assert.equal(logoBytes("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="), undefined);
  assert.equal(logoBytes("https://example.com/logo.png"), undefined);
  const huge = `data:image/png;base64,${btoa("\x89PNG" + "x".repeat(MAX_LOGO_BYTES))}`;
  assert.equal(logoBytes(huge), undefined);
});

Deno.test("the settings refuse a logo that is not one, and accept none", () => {
  const field = orgSettingsSchema.shape.report_logo;
  assert.ok(field.safeParse(PNG).success);
  assert.ok(field.safeParse(null).success);
  const refused = field.safeParse("data:image/gif;base64,R0lGODlhAQABAAAAACw=");
  assert.equal(refused.success, false);
  assert.match(refused.error!.issues[0]!.message, /PNG or JPEG/);
});
