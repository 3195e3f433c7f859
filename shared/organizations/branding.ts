// An organization's logo for its reports (white label), kept in its settings
// as a data URL: small enough (≤ 256 KiB) that a row holds it, checked by its
// bytes, not by what the upload claims to be.

/** Largest logo accepted, in bytes once decoded. */
export const MAX_LOGO_BYTES = 256 * 1024;

const DATA_URL = /^data:image\/(png|jpeg);base64,([A-Za-z0-9+/]+={0,2})$/;

/**
 * The bytes of a logo data URL, or null when it is not a PNG or JPEG (by its
 * signature) or is larger than {@linkcode MAX_LOGO_BYTES}.
 *
 * @param dataUrl `data:image/png;base64,…` or `data:image/jpeg;base64,…`
 */
export function logoBytes(dataUrl: string): Uint8Array | undefined {
  const match = DATA_URL.exec(dataUrl);
  if (!match) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(match[2]!), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
  if (bytes.length === 0 || bytes.length > MAX_LOGO_BYTES) return undefined;
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47;
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (match[1] === "png" ? !png : !jpeg) return undefined;
  return bytes;
}
