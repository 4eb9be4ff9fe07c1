// multipart/form-data bodies, the way the Bot API takes uploads: text parts are parameters like any
// other, file parts are files a method finds by field name (or by `attach://<name>`). Node's own
// Request parses the body, so no multipart library is needed.

import type { UploadedFile } from './core.js';

export type Multipart = { ok: true; fields: Record<string, string>; files: Map<string, UploadedFile> } | { ok: false; error: string };

export async function parseMultipart(contentType: string, body: Buffer): Promise<Multipart> {
  let form: FormData;
  try {
    form = await new Request('http://emulator.invalid/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  } catch {
    // Not in the server's source: a body the parser can't read is refused as a malformed request.
    return { ok: false, error: "can't parse multipart/form-data request" };
  }
  const fields: Record<string, string> = {};
  const files = new Map<string, UploadedFile>();
  for (const [name, value] of form) {
    if (typeof value === 'string') fields[name] = value;
    else files.set(name, { fileName: value.name, contentType: value.type, bytes: new Uint8Array(await value.arrayBuffer()) });
  }
  return { ok: true, fields, files };
}
