// The TypeScript declarations (types/) are generated from the SDK's JSDoc by `npm run types`
// and committed, so a plugin author's editor has them with no build step; this test
// regenerates them and fails when the committed ones are stale.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
}

test('the committed type declarations are the ones the JSDoc gives', () => {
  const out = mkdtempSync(join(tmpdir(), 'dwa-sdk-types-'));
  try {
    const args = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.types.split(' ').slice(1);
    const outDir = args.indexOf('--outDir');
    args[outDir + 1] = out;
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), ...args], { cwd: root });
    const generated = files(out).map((f) => relative(out, f)).sort();
    assert.deepEqual(files(join(root, 'types')).map((f) => relative(join(root, 'types'), f)).sort(), generated);
    for (const file of generated) {
      assert.equal(readFileSync(join(root, 'types', file), 'utf8'), readFileSync(join(out, file), 'utf8'),
        `types/${file} is stale: run npm run types in sdk-js`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
