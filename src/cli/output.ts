// Rendering only: aligned tables, JSON, and the small YAML subset the manifests need (maps, lists,
// strings, numbers, booleans, comments). No dependency: a YAML library would be the CLI's largest.

/** Columns separated by three spaces, padded to the widest cell; trailing spaces trimmed. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat((widths[i] ?? 0) - width(c))))
      .join('   ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Display width in code points (good enough for titles; East Asian wide characters are rare here). */
function width(s: string): number {
  return [...s].length;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

type YamlValue = string | number | boolean | null | undefined | YamlValue[] | { [k: string]: YamlValue };

/** A YAML document; `comments` go on top as `# …` lines. Undefined values are left out. */
export function yamlDocument(value: { [k: string]: YamlValue }, comments: readonly string[] = []): string {
  return [...comments.map((c) => `# ${c}`), ...yamlLines(value, 0)].join('\n');
}

/** Several documents, separated by `---`, ready for `kubectl apply -f -`. */
export function yamlStream(docs: readonly string[]): string {
  return docs.map((d) => `---\n${d}`).join('\n');
}

function yamlLines(value: YamlValue, indent: number): string[] {
  const pad = ' '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${pad}[]`];
    return value.flatMap((item) => {
      if (isMap(item) || Array.isArray(item)) {
        const inner = yamlLines(item, indent + 2);
        return [`${pad}- ${inner[0]!.trimStart()}`, ...inner.slice(1)];
      }
      return [`${pad}- ${scalar(item)}`];
    });
  }
  if (isMap(value)) {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    if (entries.length === 0) return [`${pad}{}`];
    return entries.flatMap(([k, v]) => {
      const key = scalar(k);
      if ((isMap(v) && Object.values(v).some((x) => x !== undefined)) || (Array.isArray(v) && v.length > 0)) {
        return [`${pad}${key}:`, ...yamlLines(v, indent + 2)];
      }
      return [`${pad}${key}: ${isMap(v) ? '{}' : Array.isArray(v) ? '[]' : scalar(v)}`];
    });
  }
  return [`${pad}${scalar(value)}`];
}

const isMap = (v: YamlValue): v is { [k: string]: YamlValue } => typeof v === 'object' && v !== null && !Array.isArray(v);

/** YAML 1.1 and 1.2 words that a plain scalar would turn into booleans or null. */
const RESERVED = /^(true|false|yes|no|y|n|on|off|null|~)$/i;

/** A scalar, double-quoted (JSON escapes are valid YAML) unless it is a safe plain word. */
export function scalar(v: YamlValue): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  if (/^[A-Za-z_][A-Za-z0-9_./-]*$/.test(s) && !RESERVED.test(s)) return s;
  return JSON.stringify(s);
}
