import { createHash } from "node:crypto";

const ALPHANUMERIC = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * GoTrue's `crypto.GenerateTokenHash`: hex(sha224(emailOrPhone + otp)). The same
 * value is the `token` in email links and the `token_hash` clients may verify with.
 *
 * @param emailOrPhone the address the token was sent to
 * @param otp the one-time code
 */
export function tokenHash(emailOrPhone: string, otp: string): string {
  return createHash("sha224").update(emailOrPhone + otp).digest("hex");
}

/** A numeric one-time code of `length` digits, uniformly random. */
export function generateOtp(length = 6): string {
  let out = "";
  while (out.length < length) {
    const [n] = crypto.getRandomValues(new Uint32Array(1));
    // Reject the top sliver so every digit is equally likely.
    if (n! >= 4_294_967_290) continue;
    out += String(n! % 10);
  }
  return out;
}

/** An opaque refresh token: 32 random lowercase alphanumerics (about 165 bits). */
export function generateRefreshToken(): string {
  let out = "";
  while (out.length < 32) {
    const bytes = crypto.getRandomValues(new Uint8Array(48));
    for (const b of bytes) {
      if (b < 252 && out.length < 32) out += ALPHANUMERIC[b % 36];
    }
  }
  return out;
}

/** A random password for users created without one (magic-link sign-ups). */
export function generatePassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(36));
  return btoa(String.fromCharCode(...bytes)).slice(0, 48);
}
