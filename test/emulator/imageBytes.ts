// Images for tests to send: only the header Telegram (and the emulator) read an image's size from.

/** A PNG: signature and IHDR chunk with the size, padded with zeros to `size` bytes (the header's 33 at least). */
export function pngHeader(width: number, height: number, size: number): Uint8Array {
  const b = new Uint8Array(Math.max(33, size));
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(b.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return b;
}
