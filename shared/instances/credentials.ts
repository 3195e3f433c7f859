import { z } from "zod";

/**
 * What `instances.credentials` holds: AES-256-GCM ciphertext of the JSON
 * credentials, the id of the key that sealed it and the random 96-bit IV.
 * The additional authenticated data binds it to one instance of one
 * organization, so an envelope copied onto another row does not decrypt.
 */
export interface CredentialsEnvelope {
  v: 1;
  kid: string;
  iv: string;
  ciphertext: string;
}

/** Credentials for one ServiceNow instance, by authentication type. */
export type InstanceCredentials =
  | { type: "basic"; username: string; password: string }
  | { type: "oauth_client_credentials"; client_id: string; client_secret: string }
  | {
    type: "oauth_password";
    client_id: string;
    client_secret: string;
    username: string;
    password: string;
  };

/** The authentication types an instance can use (`instances.auth_type`). */
export type AuthType = InstanceCredentials["type"];

/** The keys credentials are sealed with; one is current, the others only decrypt. */
export interface Keyring {
  readonly currentKid: string;
  /** Every key id, current first. */
  readonly kids: readonly string[];
  /** Seals `credentials` for the instance `binding` with the current key. */
  seal(credentials: InstanceCredentials, binding: CredentialsBinding): Promise<CredentialsEnvelope>;
  /** Opens an envelope sealed for `binding` with any key of the ring. */
  open(envelope: unknown, binding: CredentialsBinding): Promise<InstanceCredentials>;
  /**
   * Seals another secret (e.g. a webhook signing secret) with the current key,
   * bound to `aad` (what it is and which row holds it), in the same envelope.
   */
  sealText(plain: string, aad: string): Promise<CredentialsEnvelope>;
  /** Opens an envelope of {@linkcode Keyring.sealText} sealed for `aad`. */
  openText(envelope: unknown, aad: string): Promise<string>;
}

/** Which instance an envelope belongs to (its additional authenticated data). */
export interface CredentialsBinding {
  orgId: string;
  instanceId: string;
}

/** Raised when credentials cannot be sealed or opened; never carries secret material. */
export class CredentialsError extends Error {
  override name = "CredentialsError";
}

const nonEmpty = z.string().min(1).max(512);

/** Validates decrypted or submitted credentials. */
export const instanceCredentialsSchema: z.ZodType<InstanceCredentials> = z.discriminatedUnion(
  "type",
  [
    z.object({ type: z.literal("basic"), username: nonEmpty, password: nonEmpty }).strict(),
    z.object({
      type: z.literal("oauth_client_credentials"),
      client_id: nonEmpty,
      client_secret: nonEmpty,
    }).strict(),
    z.object({
      type: z.literal("oauth_password"),
      client_id: nonEmpty,
      client_secret: nonEmpty,
      username: nonEmpty,
      password: nonEmpty,
    }).strict(),
  ],
);

const envelopeSchema = z.object({
  v: z.literal(1),
  kid: z.string().min(1).max(32),
  iv: z.string().min(16).max(24),
  ciphertext: z.string().min(24),
});

/**
 * Builds a keyring from `CREDENTIALS_KEYS` (`<kid>:<base64 key>,…`) and
 * `CREDENTIALS_KEY_ID`.
 *
 * @param spec comma-separated `<kid>:<base64 32-byte key>` pairs
 * @param currentKid the key new envelopes use; may be omitted when there is one key
 * @throws {CredentialsError} for a malformed key, a duplicate id or an unknown current id
 * @example
 * const ring = await loadKeyring("k1:" + generateKey());
 */
export async function loadKeyring(spec: string, currentKid?: string): Promise<Keyring> {
  const keys = new Map<string, CryptoKey>();
  for (const entry of spec.split(",").map((e) => e.trim()).filter(Boolean)) {
    const at = entry.indexOf(":");
    const kid = entry.slice(0, at);
    if (at < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(kid)) {
      throw new CredentialsError(
        "Cannot load the credentials keyring: an entry has no valid key id",
      );
    }
    if (keys.has(kid)) {
      throw new CredentialsError(
        `Cannot load the credentials keyring: key id "${kid}" appears twice`,
      );
    }
    let raw: Uint8Array;
    try {
      raw = fromBase64(entry.slice(at + 1));
    } catch {
      throw new CredentialsError(`Cannot load the credentials keyring: key "${kid}" is not base64`);
    }
    if (raw.length !== 32) {
      throw new CredentialsError(
        `Cannot load the credentials keyring: key "${kid}" has ${raw.length} bytes, AES-256 needs 32`,
      );
    }
    keys.set(
      kid,
      await crypto.subtle.importKey("raw", raw as BufferSource, "AES-GCM", false, [
        "encrypt",
        "decrypt",
      ]),
    );
  }
  if (keys.size === 0) {
    throw new CredentialsError("Cannot load the credentials keyring: CREDENTIALS_KEYS is empty");
  }
  const current = currentKid ?? (keys.size === 1 ? [...keys.keys()][0]! : undefined);
  if (!current) {
    throw new CredentialsError(
      "Cannot load the credentials keyring: several keys are listed, set CREDENTIALS_KEY_ID",
    );
  }
  if (!keys.has(current)) {
    throw new CredentialsError(
      `Cannot load the credentials keyring: CREDENTIALS_KEY_ID "${current}" is not in CREDENTIALS_KEYS`,
    );
  }
  const kids = [current, ...[...keys.keys()].filter((k) => k !== current)];
  const encoder = new TextEncoder();
  const aad = (b: CredentialsBinding) =>
    encoder.encode(`complianceiq:instance-credentials:${b.orgId}:${b.instanceId}`);

  const sealText = async (plain: string, additional: Uint8Array): Promise<CredentialsEnvelope> => {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: additional as BufferSource },
      keys.get(current)!,
      encoder.encode(plain),
    );
    return {
      v: 1,
      kid: current,
      iv: toBase64(iv),
      ciphertext: toBase64(new Uint8Array(ciphertext)),
    };
  };
  const openText = async (envelope: unknown, additional: Uint8Array, what: string) => {
    const parsed = envelopeSchema.safeParse(envelope);
    if (!parsed.success) {
      throw new CredentialsError(`Cannot decrypt ${what}: the envelope is malformed`);
    }
    const key = keys.get(parsed.data.kid);
    if (!key) {
      throw new CredentialsError(
        `Cannot decrypt ${what}: key "${parsed.data.kid}" is not in CREDENTIALS_KEYS`,
      );
    }
    try {
      return new TextDecoder().decode(
        await crypto.subtle.decrypt(
          {
            name: "AES-GCM",
            iv: fromBase64(parsed.data.iv) as BufferSource,
            additionalData: additional as BufferSource,
          },
          key,
          fromBase64(parsed.data.ciphertext) as BufferSource,
        ),
      );
    } catch {
      throw new CredentialsError(
        `Cannot decrypt ${what}: authentication failed (wrong key or tampered data)`,
      );
    }
  };

  return {
    currentKid: current,
    kids,
    async seal(credentials, binding) {
      const checked = instanceCredentialsSchema.parse(credentials);
      return await sealText(JSON.stringify(checked), aad(binding));
    },
    async open(envelope, binding) {
      const plain = await openText(envelope, aad(binding), "instance credentials");
      const credentials = instanceCredentialsSchema.safeParse(JSON.parse(plain));
      if (!credentials.success) {
        throw new CredentialsError("Cannot decrypt instance credentials: unexpected content");
      }
      return credentials.data;
    },
    sealText: (plain, additional) => sealText(plain, encoder.encode(additional)),
    openText: (envelope, additional) =>
      openText(envelope, encoder.encode(additional), "the secret"),
  };
}

/** A fresh random AES-256 key, base64-encoded, for `CREDENTIALS_KEYS`. */
export function generateKey(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * Lists the secret values inside credentials (for log and response scrubbing in tests).
 *
 * @param credentials decrypted credentials
 */
export function secretValues(credentials: InstanceCredentials): string[] {
  return credentials.type === "basic"
    ? [credentials.password]
    : credentials.type === "oauth_client_credentials"
    ? [credentials.client_secret]
    : [credentials.client_secret, credentials.password];
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const normal = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(normal);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
