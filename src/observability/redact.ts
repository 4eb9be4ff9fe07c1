// The bot token travels in Telegram's URL path (/bot<token>/method), so any URL, axios error or
// upstream message may carry it. Everything that leaves the process goes through redact().

/**
 * A bot token's shape, loose enough to catch near-misses (e.g. a token with a stray character). The bot
 * id must start a word (or follow "bot"): digits that end a name ("ns-d946b5:telegram-channel-operator",
 * a ServiceAccount in an RBAC error) are not a token.
 */
const TOKEN_LIKE = /(?:(?<=bot)|(?<![A-Za-z0-9_-]))\d{1,20}(?::|%3A)[A-Za-z0-9_-]{20,}/gi;
/** `/bot<anything>/` path segments: catches tokens that are malformed and so don't match TOKEN_LIKE. */
const BOT_PATH = /\/bot[^/\s?#"']+/g;

export const REDACTED = '<redacted>';

export function redact(text: string, ...secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join(REDACTED);
  return out.replace(BOT_PATH, `/bot${REDACTED}`).replace(TOKEN_LIKE, REDACTED);
}

/**
 * A URL as it may be logged: user:password (of TELEGRAM_API_URL or a proxy) replaced, and anything
 * token-like redacted. Works on text too, so an invalid URL loses its userinfo-like part as well.
 */
export function redactUrl(url: string): string {
  return redact(url.replace(/(\/\/)[^/?#\s]*@/g, `$1${REDACTED}@`));
}
