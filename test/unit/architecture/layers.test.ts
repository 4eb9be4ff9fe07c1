// The module table (eslint.layers.js, enforced by `npm run lint`) proved to bite: an import up the table
// is an error with a message that says what to do, every folder of src/ has a place in the table, and
// the table itself has no cycle, so no two folders can ever import each other. A file of src/ over
// 400 lines fails lint too.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
// @ts-expect-error: a plain ESM config module without types (eslint reads it as it is).
import { LAYERS, SRC_MAX_LINES, fileSizeRule, layerRules } from '../../../eslint.layers.js';

const layers = LAYERS as Record<string, string[]>;
const root = process.cwd();

function linter(): ESLint {
  return new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...(layerRules() as Linter.Config[])],
  });
}

async function problems(file: string, source: string): Promise<string[]> {
  const [result] = await linter().lintText(source, { filePath: path.join(root, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

test('an import up the table fails lint, naming the rule to follow', async () => {
  expect(
    await problems(
      'src/kube/example.ts',
      "import { ResourceWatcher } from '../runtime/resourceWatcher.js';\nexport { ResourceWatcher };\n",
    ),
  ).toEqual([expect.stringMatching(/^no-restricted-imports: .*src\/kube\/ may not import src\/runtime\/.*docs\/architecture\.md/)]);
  expect(await problems('src/format/example.ts', "import { x } from '../lifecycle/notifier.js';\nexport { x };\n")).toHaveLength(1);
  expect(await problems('src/api/example.ts', "import { loadConfig } from '../config.js';\nexport { loadConfig };\n")).toHaveLength(1);
});

test('an import down the table, or within a folder, is fine', async () => {
  expect(await problems('src/runtime/example.ts', "import { toKubeError } from '../kube/errors.js';\nexport { toKubeError };\n")).toEqual(
    [],
  );
  expect(await problems('src/kube/example.ts', "import { toKubeError } from './errors.js';\nexport { toKubeError };\n")).toEqual([]);
});

test('every folder of src/ has a place in the table, and the table names no folder that does not exist', () => {
  const folders = readdirSync(path.join(root, 'src')).filter((f) => statSync(path.join(root, 'src', f)).isDirectory());
  expect(Object.keys(layers).sort()).toEqual(folders.sort());
  for (const deps of Object.values(layers)) for (const d of deps) expect(folders).toContain(d);
});

test('the table has no cycle', () => {
  const visiting = new Set<string>();
  const done = new Set<string>();
  const visit = (folder: string, trail: string[]): void => {
    if (done.has(folder)) return;
    if (visiting.has(folder)) throw new Error(`cycle: ${[...trail, folder].join(' → ')}`);
    visiting.add(folder);
    for (const dep of layers[folder] ?? []) visit(dep, [...trail, folder]);
    visiting.delete(folder);
    done.add(folder);
  };
  for (const folder of Object.keys(layers)) expect(() => visit(folder, [])).not.toThrow();
});

test('a file of src/ over 400 lines fails lint; 400 lines, or a longer file outside src/, is fine', async () => {
  const sized = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, fileSizeRule() as Linter.Config],
  });
  const lines = (n: number) => Array.from({ length: n }, (_, i) => (i % 5 === 4 ? '' : `export const v${i} = ${i};`)).join('\n') + '\n';
  const lint = async (file: string, n: number) =>
    (await sized.lintText(lines(n), { filePath: path.join(root, file) }))[0]!.messages.map((m) => m.ruleId);
  expect(await lint('src/kube/example.ts', SRC_MAX_LINES + 1)).toEqual(['max-lines']);
  expect(await lint('src/kube/example.ts', SRC_MAX_LINES)).toEqual([]);
  expect(await lint('test/unit/example.test.ts', SRC_MAX_LINES + 1)).toEqual([]);
});

test('the imports in src/ themselves, folder to folder, form no cycle', () => {
  const src = path.join(root, 'src');
  const folderOf = (file: string) => path.relative(src, file).split(path.sep)[0]!;
  const graph = new Map<string, Set<string>>();
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const full = path.join(dir, f);
      return statSync(full).isDirectory() ? walk(full) : full.endsWith('.ts') ? [full] : [];
    });
  for (const file of walk(src).filter((f) => path.dirname(f) !== src)) {
    const from = folderOf(file);
    const text = readFileSync(file, 'utf8');
    for (const [, spec] of text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)) {
      const target = path.resolve(path.dirname(file), spec!);
      if (!target.startsWith(src + path.sep) || path.dirname(target) === src) continue;
      const to = folderOf(target);
      if (to !== from) (graph.get(from) ?? graph.set(from, new Set()).get(from)!).add(to);
    }
  }
  expect(graph.get('controller')).toContain('runtime'); // the scan reads real imports
  const done = new Set<string>();
  const visit = (folder: string, trail: string[]): void => {
    if (trail.includes(folder)) throw new Error(`cycle: ${[...trail, folder].join(' → ')}`);
    if (done.has(folder)) return;
    for (const dep of graph.get(folder) ?? []) visit(dep, [...trail, folder]);
    done.add(folder);
  };
  for (const folder of graph.keys()) expect(() => visit(folder, [])).not.toThrow();
});
