// Link tokens: `rpt_` + 256 random bits (base64url); only their SHA-256 is stored.

/** The lowercase hex SHA-256 of a text. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** A new link token and the hash to store. */
export async function newLinkToken(): Promise<{ token: string; hash: string }> {
  const token = `rpt_${
    btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
      .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "")
  }`;
  return { token, hash: await sha256Hex(token) };
}

/** The URL a link token downloads from, under the reports function. */
export function linkUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/$/, "")}/functions/v1/reports/links/${token}`;
}
