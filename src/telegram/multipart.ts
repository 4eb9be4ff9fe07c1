// A multipart/form-data body for Bot API uploads, written byte for byte. The platform's FormData (and
// axios') rewrites every line break in a text part as CRLF, as HTML forms do: a caption "a\nb" would
// reach Telegram as "a\r\nb". Here text parts go as they are, in UTF-8.
import { randomBytes } from 'node:crypto';

export interface MultipartFile {
  /** The part's field name (`photo`). */
  name: string;
  filename: string;
  contentType: string;
  bytes: Uint8Array;
}

export class MultipartBody {
  constructor(
    readonly body: Buffer,
    /** `multipart/form-data; boundary=…`, for the request's Content-Type. */
    readonly contentType: string,
  ) {}
}

/** Text fields first, then the file; a boundary that occurs in no value. */
export function multipartBody(fields: Readonly<Record<string, string>>, file: MultipartFile): MultipartBody {
  let boundary: string;
  do boundary = `----telegram-channel-operator-${randomBytes(16).toString('hex')}`;
  while (Object.values(fields).some((value) => value.includes(boundary)) || Buffer.from(file.bytes).includes(boundary));
  const chunks: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${headerSafe(name)}"\r\n\r\n${value}\r\n`, 'utf8'));
  }
  const disposition = `form-data; name="${headerSafe(file.name)}"; filename="${headerSafe(file.filename)}"`;
  chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: ${headerSafe(file.contentType)}\r\n\r\n`));
  chunks.push(Buffer.from(file.bytes), Buffer.from(`\r\n--${boundary}--\r\n`));
  return new MultipartBody(Buffer.concat(chunks), `multipart/form-data; boundary=${boundary}`);
}

/** A name or type inside a part's headers: no quote, backslash or line break can end it early. */
function headerSafe(text: string): string {
  return text.replace(/["\\\r\n]/g, '_');
}
