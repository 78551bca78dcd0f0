import type { Checksum } from '@ftrack-encode/core';

/** SHA-256 of a Blob with WebCrypto (reads it into memory once; the page's inputs are capped at 1 GiB). */
export async function sha256(blob: Blob): Promise<Checksum> {
  const digest = await crypto.subtle.digest('SHA-256', await blob.arrayBuffer());
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  return { algorithm: 'sha256', hex };
}
