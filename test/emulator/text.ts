// A message's text as sendMessage and editMessageText both read it (Client.cpp get_input_message_text,
// then TDLib's checks when the message is built): the first half runs before the chat is looked at,
// the second after the chat and rights checks.

import { badRequest, isOutcome, toBool, type Args, type Outcome } from './envelope.js';
import { normaliseParseMode, parseText, utf8Length } from './markup.js';

const MAX_TEXT_BYTES = 1 << 15;
const MAX_MESSAGE_LENGTH = 4096;
const MAX_CAPTION_LENGTH = 1024;

export interface InputText {
  rawText: string;
  /** Parsed, not yet trimmed. */
  parsed: string;
  /** As sent, when a parse mode applies. */
  parseMode?: string;
  preview?: Record<string, unknown>;
}

/** link_preview_options, text empty, UTF-8, raw size, parse_mode, entities: in the server's order. */
export function readInputText(arg: Args): InputText | Outcome {
  const preview = linkPreviewOptions(arg('link_preview_options'), arg('disable_web_page_preview'));
  if (isOutcome(preview)) return preview;
  const rawText = arg('text');
  if (rawText === '') return badRequest('message text is empty');
  const formatted = formattedText(rawText, arg);
  if (isOutcome(formatted)) return formatted;
  return { rawText, ...formatted, ...(preview ? { preview } : {}) };
}

/** get_formatted_text, shared by texts and captions: UTF-8, raw size, parse_mode, entities. */
function formattedText(raw: string, arg: Args): { parsed: string; parseMode?: string } | Outcome {
  // JSON may carry lone surrogates ("\ud800"); the Bot API wants UTF-8 and refuses them.
  if (!raw.isWellFormed()) return badRequest('text must be encoded in UTF-8');
  if (utf8Length(raw) > MAX_TEXT_BYTES) return badRequest('text is too long');
  const mode = normaliseParseMode(arg('parse_mode'));
  if (mode === null) return badRequest('unsupported parse_mode');
  const parsed = parseText(raw, mode);
  if (!parsed.ok) return badRequest(`can't parse entities: ${parsed.error}`);
  return { parsed: parsed.text, ...(mode !== 'none' ? { parseMode: arg('parse_mode') } : {}) };
}

/** TDLib's own checks on the parsed text: trimmed non-empty, then at most 4096 in the chosen unit. */
export function finishText(parsed: string, unit: 'utf16' | 'codepoints'): string | Outcome {
  // Only ASCII whitespace is trimmed; TDLib also drops some invisible Unicode characters.
  const text = parsed.replace(/^[ \t\n\r\v\f\0]+|[ \t\n\r\v\f\0]+$/g, '');
  if (text === '') return badRequest('text must be non-empty');
  const length = unit === 'utf16' ? text.length : [...text].length;
  if (length > MAX_MESSAGE_LENGTH) return badRequest('message is too long');
  return text;
}

function linkPreviewOptions(raw: string, legacyDisable: string): Record<string, unknown> | Outcome | undefined {
  if (raw === '') return toBool(legacyDisable) ? { is_disabled: true } : undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return badRequest("can't parse link preview options JSON object");
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return badRequest('object expected as link preview options');
  }
  const out: Record<string, unknown> = {};
  for (const key of ['is_disabled', 'url', 'prefer_small_media', 'prefer_large_media', 'show_above_text']) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined && v !== false && v !== '') out[key] = v;
  }
  return out;
}

export interface InputCaption {
  /** As sent; '' when there is no caption. */
  rawCaption: string;
  /** Parsed, not yet trimmed. */
  parsed: string;
  parseMode?: string;
}

/**
 * get_caption: a caption goes through the same get_formatted_text as a message text (UTF-8, raw size,
 * parse_mode, entities), before the chat is looked at; unlike a text it may be empty.
 */
export function readCaption(arg: Args): InputCaption | Outcome {
  const rawCaption = arg('caption');
  if (rawCaption === '') return { rawCaption, parsed: '' };
  const formatted = formattedText(rawCaption, arg);
  if (isOutcome(formatted)) return formatted;
  return { rawCaption, ...formatted };
}

/** TDLib's caption check for bots: trimmed, at most 1024 in the chosen unit; an empty caption is no caption. */
export function finishCaption(parsed: string, unit: 'utf16' | 'codepoints'): string | Outcome {
  const caption = parsed.replace(/^[ \t\n\r\v\f\0]+|[ \t\n\r\v\f\0]+$/g, '');
  const length = unit === 'utf16' ? caption.length : [...caption].length;
  return length > MAX_CAPTION_LENGTH ? badRequest('message caption is too long') : caption;
}
