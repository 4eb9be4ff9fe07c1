// The multipart body sendPhoto uploads with: read back by the platform's own parser, every text part
// is exactly what was given (line breaks included) and the file's bytes are whole.
import { multipartBody } from '../../../src/telegram/multipart.js';

async function readBack(body: Buffer, contentType: string): Promise<FormData> {
  return new Request('http://parser.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
}

test('text parts and the file part round-trip', async () => {
  const bytes = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 255]);
  const fields = { chat_id: '-1001', caption: '🔥 a\nb\r\nc', reply_markup: '{"inline_keyboard":[]}' };
  const { body, contentType } = multipartBody(fields, { name: 'photo', filename: 'image.png', contentType: 'image/png', bytes });
  expect(contentType).toMatch(/^multipart\/form-data; boundary=----telegram-channel-operator-[0-9a-f]{32}$/);
  const form = await readBack(body, contentType);
  expect(Object.fromEntries([...form].filter(([, v]) => typeof v === 'string'))).toEqual(fields);
  const file = form.get('photo') as File;
  expect(file.name).toBe('image.png');
  expect(file.type).toBe('image/png');
  expect(new Uint8Array(await file.arrayBuffer())).toEqual(bytes);
});

test('a quote or line break in a file name or type cannot end its header early', async () => {
  const { body, contentType } = multipartBody(
    {},
    { name: 'photo', filename: 'x"; name="chat_id\r\n', contentType: 'image/png\r\nX-Evil: 1', bytes: new Uint8Array([1]) },
  );
  const form = await readBack(body, contentType);
  expect([...form.keys()]).toEqual(['photo']);
  expect((form.get('photo') as File).name).toBe('x_; name=_chat_id__');
});
