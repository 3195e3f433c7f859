/**
 * Evidence packs: one zip (`fflate`) with the report as PDF, the workbook, the
 * raw evidence as JSON, a manifest (every file's SHA-256 and size, the scope,
 * the catalog version, who generated it when) and an Ed25519 signature over the
 * manifest. The archive is canonical — fixed entry order, timestamps and
 * compression — so a verifier rebuilds it from its entries and requires the
 * very same bytes: any altered byte anywhere in the file fails verification.
 *
 * @module
 */

import { strToU8 } from "fflate";
import { canonicalZip, PACK_FORMAT, type PackManifest, sha256Hex } from "./pack_verify.ts";
import type { ReportContent } from "./model.ts";
import { renderJson } from "./render/json.ts";
import { renderPdf, type ReportBranding } from "./render/pdf.ts";
import { BufferSink, type ByteSink } from "./render/sink.ts";
import { renderXlsx } from "./render/xlsx.ts";

/** The signing key of packs: an Ed25519 key pair with an id. */
export interface PackKey {
  kid: string;
  privateKey: CryptoKey;
  /** The public key as a JWK (`kty: OKP`, `crv: Ed25519`), as the well-known endpoint publishes it. */
  publicJwk: JsonWebKey & { kid: string; alg: "EdDSA"; use: "sig" };
}

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

/**
 * Imports a pack key from a private Ed25519 JWK (with `d`), or generates one.
 *
 * @param jwk the private key as JSON (REPORTS_PACK_KEY), or undefined to generate
 * @returns the key with its id (a digest of the public key)
 */
export async function loadPackKey(jwk?: string): Promise<PackKey> {
  let privateKey: CryptoKey;
  let publicRaw: JsonWebKey;
  if (jwk) {
    const parsed = JSON.parse(jwk) as JsonWebKey;
    if (parsed.kty !== "OKP" || parsed.crv !== "Ed25519" || !parsed.d || !parsed.x) {
      throw new Error(
        "REPORTS_PACK_KEY must be an Ed25519 private key as a JWK (kty OKP, crv Ed25519, d, x)",
      );
    }
    privateKey = await crypto.subtle.importKey("jwk", parsed, { name: "Ed25519" }, false, ["sign"]);
    publicRaw = { kty: "OKP", crv: "Ed25519", x: parsed.x };
  } else {
    const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
      "sign",
      "verify",
    ]) as CryptoKeyPair;
    privateKey = pair.privateKey;
    const exported = await crypto.subtle.exportKey("jwk", pair.publicKey);
    publicRaw = { kty: "OKP", crv: "Ed25519", x: exported.x };
  }
  const kid = (await sha256Hex(strToU8(publicRaw.x!))).slice(0, 16);
  return {
    kid,
    privateKey,
    publicJwk: { ...publicRaw, kid, alg: "EdDSA", use: "sig" },
  };
}

let processKey: Promise<PackKey> | null = null;

/**
 * The key this process signs packs with: REPORTS_PACK_KEY when set; otherwise
 * one generated at start (development only — packs then verify against the key
 * they carry, and the well-known endpoint publishes that process's key).
 */
export function currentPackKey(): Promise<PackKey> {
  processKey ??= loadPackKey(Deno.env.get("REPORTS_PACK_KEY") || undefined);
  return processKey;
}

/**
 * Renders the evidence pack of a report and writes the zip to `sink`.
 *
 * @param content the report
 * @param sink where the zip goes
 * @param options the signing key and progress
 * @returns the number of findings in the evidence
 */
export async function renderPack(
  content: ReportContent,
  sink: ByteSink,
  options: {
    key?: PackKey;
    onProgress?: (rows: number) => void;
    /** The organization's branding of the PDF inside. */
    branding?: ReportBranding;
  } = {},
): Promise<number> {
  const key = options.key ?? await currentPackKey();
  const pdf = new BufferSink();
  const rows = await renderPdf(content, pdf, {
    onProgress: options.onProgress,
    ...options.branding,
  });
  const xlsx = new BufferSink();
  await renderXlsx(content, xlsx);
  const json = new BufferSink();
  await renderJson(content, json);
  const files: [string, Uint8Array][] = [
    ["report.pdf", pdf.bytes()],
    ["report.xlsx", xlsx.bytes()],
    ["evidence.json", json.bytes()],
  ];
  const { meta } = content;
  const manifest: PackManifest = {
    format: PACK_FORMAT,
    title: meta.title,
    organization: meta.organization,
    instance: meta.instance,
    run_id: meta.run.id,
    scope: meta.scope,
    catalog_version: meta.catalog_version,
    audit_chain: meta.audit_chain ?? null,
    generated_at: meta.generated_at.toISOString(),
    generated_by: meta.generated_by.email,
    files: await Promise.all(
      files.map(async ([name, data]) => ({
        name,
        sha256: await sha256Hex(data),
        bytes: data.length,
      })),
    ),
  };
  const manifestBytes = strToU8(JSON.stringify(manifest, null, 2));
  const signature = new Uint8Array(
    await crypto.subtle.sign({ name: "Ed25519" }, key.privateKey, manifestBytes as BufferSource),
  );
  const signatureDoc = {
    alg: "EdDSA",
    kid: key.kid,
    public_key: key.publicJwk,
    signed: "manifest.json",
    signature: base64url(signature),
  };
  await sink.write(canonicalZip([
    ["manifest.json", manifestBytes],
    ["signature.json", strToU8(JSON.stringify(signatureDoc, null, 2))],
    ...files,
  ]));
  return rows;
}
