import { createHash } from 'node:crypto';

/** Identifies a bot in in-memory maps without keeping its token as the key (heap dumps, debug logs). */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
