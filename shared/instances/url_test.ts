import assert from "node:assert/strict";
import {
  assertPublicInstanceUrl,
  InstanceUrlError,
  nonPublicReason,
  normalizeInstanceUrl,
} from "./url.ts";

Deno.test("normalizeInstanceUrl() turns what users type into one canonical base URL", async (t) => {
  const cases: [string, string][] = [
    ["acme", "https://acme.service-now.com"],
    ["  ACME-dev  ", "https://acme-dev.service-now.com"],
    ["acme.service-now.com", "https://acme.service-now.com"],
    ["https://ACME.Service-Now.com/", "https://acme.service-now.com"],
    ["https://acme.service-now.com/now/nav/ui/home?x=1#top", "https://acme.service-now.com"],
    ["https://acme.service-now.com.", "https://acme.service-now.com"],
    ["https://snow.example.com:8443/", "https://snow.example.com:8443"],
    ["https://acme.service-now.com:443", "https://acme.service-now.com"],
    ["https://bücher.example", "https://xn--bcher-kva.example"],
  ];
  for (const [input, expected] of cases) {
    await t.step(`${JSON.stringify(input)} → ${expected}`, () => {
      assert.equal(normalizeInstanceUrl(input), expected);
    });
  }
});

Deno.test("normalizeInstanceUrl() refuses http, credentials in the URL and garbage", () => {
  const refused: [string, string][] = [
    ["http://acme.service-now.com", "https_required"],
    ["ftp://acme.service-now.com", "https_required"],
    ["https://admin:secret@acme.service-now.com", "credentials_in_url"],
    ["", "invalid_url"],
    ["https://", "invalid_url"],
    ["not a url at all", "invalid_url"],
  ];
  for (const [input, code] of refused) {
    assert.throws(
      () => normalizeInstanceUrl(input),
      (e: unknown) => e instanceof InstanceUrlError && e.code === code,
      input,
    );
  }
});

Deno.test("normalizeInstanceUrl() in dev mode accepts http and keeps a mount path", () => {
  assert.equal(
    normalizeInstanceUrl("http://127.0.0.1:8080/sim/acme/", { allowPrivate: true }),
    "http://127.0.0.1:8080/sim/acme",
  );
  assert.equal(
    normalizeInstanceUrl("http://localhost:9000", { allowPrivate: true }),
    "http://localhost:9000",
  );
});

Deno.test("nonPublicReason() classifies private, special and public addresses", async (t) => {
  const blocked = [
    "127.0.0.1",
    "127.255.0.9",
    "10.1.2.3",
    "172.16.0.1",
    "172.31.255.255",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",
    "100.127.255.254",
    "0.0.0.0",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "192.0.2.10",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",
    "ff02::1",
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:a00:1",
    "64:ff9b::10.0.0.1",
    "2001:db8::1",
  ];
  for (const address of blocked) {
    await t.step(`${address} is refused`, () => assert.notEqual(nonPublicReason(address), null));
  }
  const allowed = [
    "8.8.8.8",
    "149.96.5.10",
    "172.32.0.1",
    "100.128.0.1",
    "2606:4700::1111",
    "::ffff:8.8.8.8",
  ];
  for (const address of allowed) {
    await t.step(`${address} is public`, () => assert.equal(nonPublicReason(address), null));
  }
  await t.step("garbage is malformed", () => assert.equal(nonPublicReason("1.2.3"), "malformed"));
});

Deno.test("assertPublicInstanceUrl() resolves the host and refuses any private answer", async (t) => {
  const resolver = (answers: Record<string, string[]>) => (host: string) =>
    Promise.resolve(answers[host] ?? []);
  const resolve = resolver({
    "good.service-now.com": ["149.96.5.10", "2606:4700::1111"],
    "rebind.example.com": ["149.96.5.10", "10.0.0.5"],
    "meta.example.com": ["169.254.169.254"],
  });
  await t.step("public addresses pass", async () => {
    await assertPublicInstanceUrl("https://good.service-now.com", { resolve });
  });
  for (const url of ["https://rebind.example.com", "https://meta.example.com"]) {
    await t.step(`${url} is refused`, async () => {
      await assert.rejects(
        assertPublicInstanceUrl(url, { resolve }),
        (e: unknown) => e instanceof InstanceUrlError && e.code === "private_address",
      );
    });
  }
  await t.step("literal and internal names are refused without DNS", async () => {
    for (
      const url of [
        "https://127.0.0.1",
        "https://[::1]:8443",
        "https://localhost",
        "https://metadata.google.internal",
      ]
    ) {
      await assert.rejects(
        assertPublicInstanceUrl(url, { resolve: () => Promise.reject(new Error("no DNS")) }),
        (e: unknown) => e instanceof InstanceUrlError && e.code === "private_address",
        url,
      );
    }
  });
  await t.step("a host that does not resolve is refused", async () => {
    await assert.rejects(
      assertPublicInstanceUrl("https://nowhere.example.com", { resolve }),
      (e: unknown) => e instanceof InstanceUrlError && e.code === "unresolvable_host",
    );
  });
  await t.step("dev mode allows private addresses", async () => {
    await assertPublicInstanceUrl("http://127.0.0.1:8080", { allowPrivate: true, resolve });
  });
});
