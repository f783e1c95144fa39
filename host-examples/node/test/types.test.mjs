// The package's TypeScript types (dist/js/index.d.ts) compile against typical use, and
// refuse what they must refuse (see types/check.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

test('index.d.ts type-checks typical use, and rejects misuse', () => {
  let output = '';
  try {
    output = execFileSync(process.execPath, [tsc, '-p', `${here}types/tsconfig.json`], { encoding: 'utf8' });
  } catch (err) {
    assert.fail(`tsc failed:\n${err.stdout}${err.stderr}`);
  }
  assert.equal(output, '');
});
