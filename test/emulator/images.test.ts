// The image checks Telegram makes on an uploaded photo, and which photo URLs its servers can fetch.

import { checkUploadedImage, isPubliclyFetchable, MAX_PHOTO_UPLOAD_BYTES, photoSizes, sniffImage } from './images.js';

function bytes(...parts: (string | number[])[]): Uint8Array {
  return new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));
}
const le16 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff];
const le24 = (n: number): number[] => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff];
const le32 = (n: number): number[] => [...le16(n & 0xffff), ...le16(n >>> 16)];

describe('sniffImage', () => {
  test('BMP', () => {
    const bmp = bytes(
      'BM',
      Array.from({ length: 16 }, () => 0),
      le32(300),
      le32(200),
      [0, 0],
    );
    expect(sniffImage(bmp)).toStrictEqual({ format: 'bmp', width: 300, height: 200 });
  });

  test('WebP, extended (VP8X)', () => {
    const webp = bytes('RIFF', le32(30), 'WEBP', 'VP8X', le32(10), [0, 0, 0, 0], le24(639), le24(479), [0, 0]);
    expect(sniffImage(webp)).toStrictEqual({ format: 'webp', width: 640, height: 480 });
  });

  test('WebP, lossless (VP8L)', () => {
    const bits = 99 | (49 << 14);
    const webp = bytes(
      'RIFF',
      le32(30),
      'WEBP',
      'VP8L',
      le32(10),
      [0x2f],
      le32(bits),
      Array.from({ length: 6 }, () => 0),
    );
    expect(sniffImage(webp)).toStrictEqual({ format: 'webp', width: 100, height: 50 });
  });

  test.each([
    ['text', bytes('hello, this is not an image at all')],
    ['a truncated PNG', bytes([0x89], 'PNG')],
    ['a JPEG without a frame header', bytes([0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xd9, 0, 0])],
    [
      'a RIFF that is not WebP',
      bytes(
        'RIFF',
        le32(30),
        'WAVE',
        Array.from({ length: 20 }, () => 0),
      ),
    ],
  ])('%s is not an image', (_label, b) => {
    expect(sniffImage(b)).toBeUndefined();
  });
});

describe('checkUploadedImage', () => {
  test('a zero-sized image is refused like any bad dimension', () => {
    const gif = bytes('GIF89a', le16(0), le16(10));
    expect(checkUploadedImage(gif)).toStrictEqual({ ok: false, error: 'PHOTO_INVALID_DIMENSIONS' });
  });

  test('the size limit is checked before the content', () => {
    expect(checkUploadedImage(new Uint8Array(MAX_PHOTO_UPLOAD_BYTES + 1))).toStrictEqual({ ok: false, error: 'file is too big' });
  });
});

describe('isPubliclyFetchable', () => {
  test.each([
    ['https://grafana.example.com/render/x.png', true],
    ['https://8.8.8.8/x.png', true],
    ['http://[2001:db8::1]/x.png', true],
    ['http://172.20.0.5/x.png', false],
    ['http://192.168.1.10/x.png', false],
    ['http://127.0.0.1:3000/x.png', false],
    ['http://[::1]/x.png', false],
    ['http://[fd00::5]/x.png', false],
    ['http://grafana.monitoring.svc.cluster.local/x.png', false],
    ['http://printer.local/x.png', false],
  ])('%s → %s', (url, expected) => {
    expect(isPubliclyFetchable(new URL(url))).toBe(expected);
  });
});

test('photoSizes: a thumbnail of at most 90 px and the photo scaled to at most 1280 px', () => {
  const sizes = photoSizes({ source: 'upload', width: 400, height: 3000, fileId: 'F', fileUniqueId: 'U' });
  expect(sizes).toStrictEqual([
    { file_id: 'Fs', file_unique_id: 'Us', width: 12, height: 90 },
    { file_id: 'F', file_unique_id: 'U', width: 171, height: 1280 },
  ]);
});
