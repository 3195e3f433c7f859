/**
 * Offline verification of evidence packs, with nothing but `fflate` and Web
 * Crypto (what `deno task verify-pack` runs): the archive must be byte for byte
 * the canonical rebuild of its entries, the manifest's Ed25519 signature valid,
 * and every file match its SHA-256.
 *
 * @module
 */

import { strFromU8, unzipSync, type Zippable, zipSync } from "fflate";

/** The manifest's format name. */
export const PACK_FORMAT = "complianceiq-evidence-pack/1";
/** Entry time of every file (the zip's DOS dates start in 1980). */
const ENTRY_TIME = new Date("1980-01-01T00:00:00Z");

/** One file listed in the manifest. */
export interface ManifestFile {
  name: string;
  sha256: string;
  bytes: number;
}

/** What a pack's manifest says. */
export interface PackManifest {
  format: typeof PACK_FORMAT;
  title: string;
  organization: { id: string; name: string };
  instance: { id: string; name: string; url: string };
  run_id: string;
  scope: unknown;
  catalog_version: string;
  /** The organization's audit chain head and latest anchor when the pack was built. */
  audit_chain?: {
    head_seq: number;
    head_hash: string;
    anchor: { seq: number; hash: string; anchored_at: string } | null;
  } | null;
  generated_at: string;
  generated_by: string;
  files: ManifestFile[];
}

/** SHA-256 of bytes as lowercase hex. */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function fromBase64url(text: string): Uint8Array {
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  return Uint8Array.from(atob(b64 + "=".repeat((4 - b64.length % 4) % 4)), (c) => c.charCodeAt(0));
}

/** Builds the canonical archive from its entries (the verifier rebuilds it the same way). */
export function canonicalZip(entries: [string, Uint8Array][]): Uint8Array {
  const files: Zippable = {};
  for (const [name, data] of entries) {
    const stored = name.endsWith(".pdf") || name.endsWith(".xlsx");
    files[name] = [data, { level: stored ? 0 : 6, mtime: ENTRY_TIME }];
  }
  return zipSync(files, { mtime: ENTRY_TIME });
}

/** The outcome of {@linkcode verifyPack}. */
export interface PackVerification {
  ok: boolean;
  /** What failed, in order; empty when ok. */
  problems: string[];
  manifest: PackManifest | null;
  kid: string | null;
}

/**
 * Verifies an evidence pack offline: the archive is byte for byte the canonical
 * rebuild of its entries, the manifest's signature is valid (with the key the
 * pack carries, which must be `trusted` when given), and every listed file is
 * present with its SHA-256 and size, with no other file.
 *
 * @param zip the archive's bytes
 * @param trusted public keys (JWKs) the signer must be one of, e.g. from the well-known endpoint
 * @returns the verdict and what failed
 */
export async function verifyPack(
  zip: Uint8Array,
  trusted: JsonWebKey[] = [],
): Promise<PackVerification> {
  const problems: string[] = [];
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip);
  } catch (error) {
    return {
      ok: false,
      problems: [`not a readable zip archive (${(error as Error).message})`],
      manifest: null,
      kid: null,
    };
  }
  const names = Object.keys(entries);
  const rebuilt = canonicalZip(names.map((n) => [n, entries[n]!]));
  if (rebuilt.length !== zip.length || rebuilt.some((b, i) => b !== zip[i])) {
    problems.push("the archive is not byte for byte the canonical pack of its entries");
  }
  const manifestBytes = entries["manifest.json"];
  const signatureBytes = entries["signature.json"];
  if (!manifestBytes || !signatureBytes) {
    problems.push("manifest.json or signature.json is missing");
    return { ok: false, problems, manifest: null, kid: null };
  }
  let manifest: PackManifest;
  let sig: { alg: string; kid: string; public_key: JsonWebKey; signature: string };
  try {
    manifest = JSON.parse(strFromU8(manifestBytes));
    sig = JSON.parse(strFromU8(signatureBytes));
  } catch {
    problems.push("manifest.json or signature.json is not valid JSON");
    return { ok: false, problems, manifest: null, kid: null };
  }
  try {
    const key = await crypto.subtle.importKey(
      "jwk",
      { kty: "OKP", crv: "Ed25519", x: sig.public_key.x },
      { name: "Ed25519" },
      false,
      ["verify"],
    );
    const valid = await crypto.subtle.verify(
      { name: "Ed25519" },
      key,
      fromBase64url(sig.signature) as BufferSource,
      manifestBytes as BufferSource,
    );
    if (!valid) problems.push("the manifest's signature does not verify");
  } catch (error) {
    problems.push(`the signature cannot be checked (${(error as Error).message})`);
  }
  if (trusted.length > 0 && !trusted.some((k) => k.x === sig.public_key.x)) {
    problems.push(`the pack was signed by key ${sig.kid}, which is not among the trusted keys`);
  }
  const listed = new Set(["manifest.json", "signature.json"]);
  for (const file of manifest.files ?? []) {
    listed.add(file.name);
    const data = entries[file.name];
    if (!data) {
      problems.push(`${file.name} is listed but missing`);
      continue;
    }
    if (data.length !== file.bytes || await sha256Hex(data) !== file.sha256) {
      problems.push(`${file.name} does not match its SHA-256 in the manifest`);
    }
  }
  for (const name of names) if (!listed.has(name)) problems.push(`${name} is not in the manifest`);
  return { ok: problems.length === 0, problems, manifest, kid: sig.kid ?? null };
}
