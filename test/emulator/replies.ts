// A send's reply target and its JSON-valued parameters as they are recorded: shared by sendMessage and
// sendPhoto, which read them the same way (Client.cpp get_reply_parameters).

import { badRequest, serverMessage, toBool, toInteger, type Args, type Outcome } from './envelope.js';

export function jsonArg(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * get_reply_parameters: `reply_parameters` (JSON), or the older `reply_to_message_id` and
 * `allow_sending_without_reply`. Undefined when the message replies to nothing.
 */
export function replyParameters(arg: Args): { messageId: number; allowWithout: boolean } | Outcome | undefined {
  const raw = arg('reply_parameters');
  if (raw === '') {
    const id = toInteger(arg('reply_to_message_id'));
    return id > 0 ? { messageId: id, allowWithout: toBool(arg('allow_sending_without_reply')) } : undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return badRequest(serverMessage("Can't parse reply parameters JSON object"));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return badRequest(serverMessage('Object expected as reply parameters'));
  const o = value as Record<string, unknown>;
  if (Object.keys(o).length === 0) return undefined;
  const id = o.message_id;
  if (id === undefined) return badRequest(serverMessage('Can\'t find field "message_id"'));
  const n = typeof id === 'number' ? id : typeof id === 'string' && /^-?\d+$/.test(id) ? Number(id) : NaN;
  if (!Number.isInteger(n)) return badRequest(serverMessage('Field "message_id" must be a Number'));
  return { messageId: Math.max(0, n), allowWithout: o.allow_sending_without_reply === true };
}
