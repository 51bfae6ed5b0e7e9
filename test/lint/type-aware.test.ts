import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

// Linting a fixture with type information loads the whole project (~45 s here), so this checks
// the resolved configuration instead: the promise rules are errors, with type information on.
const eslint = new ESLint();
const RULES = [
  '@typescript-eslint/no-floating-promises',
  '@typescript-eslint/no-misused-promises',
  '@typescript-eslint/await-thenable',
];

interface Resolved {
  rules?: Record<string, unknown>;
  languageOptions?: { parserOptions?: { projectService?: unknown } };
}

describe('type-aware lint', () => {
  for (const file of ['src/services/x.ts', 'src/api/query/x.test.ts', 'test/integration/x.test.ts', 'bench/x.ts']) {
    it(`checks promises with type information in ${file}`, async () => {
      const config = (await eslint.calculateConfigForFile(file)) as Resolved;
      assert.ok(config.languageOptions?.parserOptions?.projectService, 'projectService on');
      for (const rule of RULES) {
        const setting = config.rules?.[rule];
        assert.equal(Array.isArray(setting) ? setting[0] : setting, 2, `${rule} is an error`);
      }
    });
  }

  it('does not let `void` silence a floating promise', async () => {
    const config = (await eslint.calculateConfigForFile('src/services/x.ts')) as Resolved;
    const setting = config.rules?.['@typescript-eslint/no-floating-promises'] as [number, { ignoreVoid?: boolean }];
    assert.equal(setting[1].ignoreVoid, false);
  });
});
