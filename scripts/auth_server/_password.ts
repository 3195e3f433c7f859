import bcrypt from "bcryptjs";
import { AuthError } from "./_errors.ts";

/** bcrypt truncates past 72 bytes, so GoTrue refuses longer passwords. */
export const MAX_PASSWORD_LENGTH = 72;
const COST = 10;

/** Password rules, as GoTrue's `[auth.password]` settings. */
export interface PasswordRules {
  minLength: number;
  /** Each string is a character set the password must use at least once. */
  requiredCharacters: string[];
}

/** A password that signs in but no longer meets the rules (`weak_password` in sessions). */
export interface WeakPassword {
  message: string;
  reasons: string[];
}

/**
 * Hashes a password the way GoTrue stores it: bcrypt, cost 10, `$2a$` prefix.
 *
 * @param password the plain-text password
 */
export async function hashPassword(password: string): Promise<string> {
  // bcryptjs writes $2b$; GoTrue (golang.org/x/crypto) writes $2a$. The two
  // compute the same hash for passwords under 255 bytes.
  const salt = (await bcrypt.genSalt(COST)).replace(/^\$2b\$/, "$2a$");
  return await bcrypt.hash(password, salt);
}

/**
 * Compares a password with a stored bcrypt hash; false for an empty or foreign hash.
 *
 * @param password the plain-text password
 * @param hash the value of `auth.users.encrypted_password`
 */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash || !/^\$2[aby]\$\d\d\$/.test(hash)) return false;
  return await bcrypt.compare(password, hash);
}

/**
 * GoTrue's `checkPasswordStrength`: a password over 72 characters is a
 * validation error; a short one, or one missing a required character set,
 * is weak.
 *
 * @param password the candidate password
 * @param rules minimum length and required character sets
 * @returns the weakness, or null when the password is strong enough
 * @throws {AuthError} 400 `validation_failed` when the password is too long
 */
export function passwordWeakness(password: string, rules: PasswordRules): WeakPassword | null {
  if (new TextEncoder().encode(password).length > MAX_PASSWORD_LENGTH) {
    throw new AuthError(
      400,
      "validation_failed",
      `Password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`,
    );
  }
  const reasons: string[] = [];
  const messages: string[] = [];
  if (password.length < rules.minLength) {
    reasons.push("length");
    messages.push(`Password should be at least ${rules.minLength} characters.`);
  }
  for (const set of rules.requiredCharacters) {
    if (set !== "" && ![...set].some((ch) => password.includes(ch))) {
      reasons.push("characters");
      messages.push(
        `Password should contain at least one character of each: ${
          rules.requiredCharacters.join(", ")
        }.`,
      );
      break;
    }
  }
  return reasons.length ? { message: messages.join(" "), reasons } : null;
}

/**
 * Throws GoTrue's 422 `weak_password` error when the password breaks the rules.
 *
 * @param password the candidate password
 * @param rules minimum length and required character sets
 * @throws {AuthError} 422 `weak_password` or 400 `validation_failed`
 */
export function assertStrongPassword(password: string, rules: PasswordRules): void {
  const weakness = passwordWeakness(password, rules);
  if (weakness) {
    throw new AuthError(422, "weak_password", weakness.message, { reasons: weakness.reasons });
  }
}
