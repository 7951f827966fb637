// The SHA-256 of a file, as lowercase hex: taken at capture (capture.js), checked again before a
// refused file is sent anew (uploads.js). A module of its own, with no imports, so that the service
// worker's modules can use it without the page's (capture.js needs a document and i18n.js).
export async function sha256(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
