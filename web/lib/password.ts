/** How strong a password is, for the strength meter on sign-up and reset. */
export interface PasswordStrength {
  /** 0 (empty) to 4 (strong). */
  score: 0 | 1 | 2 | 3 | 4;
  label: "Too short" | "Weak" | "Fair" | "Good" | "Strong" | "";
  /** True when the password may be submitted (length ≥ 10 and score ≥ 2). */
  acceptable: boolean;
  /** What would make it stronger, in the user's words. */
  hints: string[];
}

/** Minimum length we accept; the auth server enforces its own minimum too. */
export const MIN_PASSWORD_LENGTH = 10;

const COMMON = [
  "password",
  "123456",
  "qwerty",
  "letmein",
  "welcome",
  "admin",
  "iloveyou",
  "monkey",
  "dragon",
  "servicenow",
  "compliance",
];

/**
 * Estimates a password's strength from its length, character variety and
 * obvious patterns (common words, repeats, the user's email).
 *
 * @param password the candidate
 * @param context words the password should not contain, e.g. the email's local part
 *
 * @example
 * passwordStrength("correct horse battery staple").label // "Strong"
 */
export function passwordStrength(password: string, context: string[] = []): PasswordStrength {
  if (password.length === 0) return { score: 0, label: "", acceptable: false, hints: [] };
  const hints: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) {
    return {
      score: 1,
      label: "Too short",
      acceptable: false,
      hints: [`Use at least ${MIN_PASSWORD_LENGTH} characters.`],
    };
  }
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password))
    .length;
  let points = 0;
  if (password.length >= 12) points++;
  if (password.length >= 16) points++;
  if (password.length >= 20) points++;
  if (classes >= 2) points++;
  if (classes >= 3) points++;
  const lower = password.toLowerCase();
  const weakWords = COMMON.concat(
    context.map((word) => word.toLowerCase()).filter((w) => w.length >= 3),
  );
  if (weakWords.some((word) => lower.includes(word))) {
    points -= 2;
    hints.push("Avoid common words and your own name or email.");
  }
  if (/(.)\1{2,}/.test(password) || /(?:0123|1234|2345|3456|4567|5678|6789|abcd)/i.test(password)) {
    points -= 1;
    hints.push("Avoid repeated characters and sequences.");
  }
  if (password.length < 16 && classes < 3) {
    hints.push("Make it longer, or mix letters, digits and symbols.");
  }
  const score = Math.max(1, Math.min(4, points)) as 1 | 2 | 3 | 4;
  const label = (["Weak", "Weak", "Fair", "Good", "Strong"] as const)[score];
  return { score, label, acceptable: score >= 2, hints };
}
