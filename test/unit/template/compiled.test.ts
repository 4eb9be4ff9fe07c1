// The render worker is loaded by file at run time: from dist/ it must be the compiled renderWorker.js
// next to the compiled pool. This compiles the template module the way `npm run build` does (same
// compiler options, into a scratch folder) and renders with it in a plain node process.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../../..');
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'template-compiled-'));
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ type: 'module' }));
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'));
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      extends: join(root, 'tsconfig.build.json'),
      compilerOptions: { rootDir: join(root, 'src'), outDir: join(scratch, 'dist'), sourceMap: false },
      include: [join(root, 'src/template/pool.ts'), join(root, 'src/template/renderWorker.ts')],
    }),
  );
  execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(scratch, 'tsconfig.json')]);
}, 60_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

it('the compiled pool starts the compiled worker and renders', () => {
  const script = `
    import { RenderPool } from ${JSON.stringify(join(scratch, 'dist/template/pool.js'))};
    const pool = new RenderPool({ size: 1 });
    const result = await pool.render({ template: '<b>{{ x }}</b>', data: { x: '<i>' } });
    await pool.close();
    console.log(JSON.stringify(result));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: scratch, encoding: 'utf8' });
  expect(JSON.parse(output)).toEqual({ ok: true, output: '<b>&lt;i&gt;</b>' });
}, 30_000);
