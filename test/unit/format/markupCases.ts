// The two tables every parse mode's markup check is tested with: texts it accepts, and texts it
// rejects at a 0-based position with a message naming what is wrong.
import type { ParseMode } from '../../../src/api/types.js';
import { checkMarkup } from '../../../src/format/markup.js';

/** One test per case: `mode` accepts the text. */
export function acceptsEach(mode: ParseMode, cases: [name: string, text: string][]): void {
  test.each(cases)('%s', (_name, text) => {
    expect(checkMarkup(text, mode)).toEqual({ ok: true });
  });
}

/** One test per case: `mode` rejects the text at `offset`, its message containing `message`. */
export function rejectsEach(mode: ParseMode, cases: [name: string, text: string, offset: number, message: string][]): void {
  test.each(cases)('%s', (_name, text, offset, message) => {
    expect(checkMarkup(text, mode)).toMatchObject({ ok: false, offset, message: expect.stringContaining(message) });
  });
}
