import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import boundaries (DESIGN §3). Every folder of src/ is a layer; a relative import that climbs
// to src/ names its target layer, so each rule is a regex over the import text, generated per
// folder depth. Strict layers list what they MAY import; the others list what they may not.
// Test code (tests, contract cases, harnesses) obeys the same rules, but may also use
// test/support/, and driver test code may reach the simulators it runs against.
const STRICT = {
  contracts: ['contracts'],
  lib: ['lib'],
  domain: ['contracts', 'lib', 'domain'],
  engines: ['contracts', 'lib', 'domain', 'engines'],
  store: ['contracts', 'lib', 'store'],
  security: ['contracts', 'lib', 'security'],
  telemetry: ['contracts', 'lib', 'telemetry'],
  drivers: ['contracts', 'lib', 'drivers'],
  metrics: ['contracts', 'lib', 'domain', 'metrics'],
};
/** Folders free of import rules: they sit on top (the API, the CLI, the standalone simulators). */
const UNRESTRICTED = ['api', 'cli', 'sim-cloud'];
const ENTRY_POINTS = [...UNRESTRICTED, 'main.ts', 'data-dir.ts'];
const DENIED = {
  services: [...ENTRY_POINTS, 'controllers'],
  controllers: ENTRY_POINTS,
  config: [...ENTRY_POINTS, 'services', 'controllers'],
};
/** What code under src/ may import from outside src/. */
const OUTSIDE = { production: ['package.json'], test: ['package.json', 'test/support'] };
const TEST_CODE = ['*.test.ts', '*.case.ts', '*-harness.ts', 'testkit.ts', 'test-support.ts', 'test-signers.ts'];
const MAX_DEPTH = 4;
const drivers = readdirSync('src/drivers', { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const up = (n) => `^(?:\\.\\./){${n}}`;
const target = (name) => (/\.(ts|json)$/.test(name) ? `${esc(name)}$` : `${esc(name)}/`);
const anyOf = (names) => `(?:${names.map(target).join('|')})`;

/** Patterns for a file `depth` folders below src/<layer>/ (test code when `test`). */
function layerPatterns(layer, depth, { test = false, extra = [] } = {}) {
  const outside = OUTSIDE[test ? 'test' : 'production'];
  if (STRICT[layer]) {
    const allowed = [...STRICT[layer], ...extra];
    return [
      {
        regex: `${up(depth + 1)}(?!${anyOf(allowed)}|\\.\\./${anyOf(outside)})`,
        message: `Layer boundary (DESIGN §3): src/${layer} may import only ${allowed.join(', ')}.`,
      },
    ];
  }
  return [
    {
      regex: `${up(depth + 1)}(?:\\.\\./(?!${anyOf(outside)})|${anyOf(DENIED[layer])})`,
      message: `Layer boundary (DESIGN §3): src/${layer} may not import ${DENIED[layer].join(', ')} or outside src.`,
    },
  ];
}

/** Patterns keeping a file `depth` folders below src/drivers/<driver>/ out of the other drivers and the registry. */
const driverPatterns = (driver, depth) => [
  {
    regex: `${up(depth + 1)}(?:(?!${esc(driver)}/)[^./][^/]*/|registry\\.ts$)`,
    message: `Driver boundary (DESIGN §3): src/drivers/${driver} may not import another driver or the registry.`,
  },
];

const rule = (patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
/** Two config blocks for the files directly in `dir`: production code, then test code. */
const blocks = (dir, production, test) => [
  { files: [`${dir}*.ts`], ignores: TEST_CODE.map((name) => `**/${name}`), rules: rule(production) },
  { files: TEST_CODE.map((name) => dir + name), rules: rule(test) },
];
const boundaries = [];
for (const layer of [...Object.keys(STRICT), ...Object.keys(DENIED)]) {
  for (let depth = 0; depth <= (layer === 'drivers' ? 0 : MAX_DEPTH); depth++) {
    const dir = `src/${layer}/${'*/'.repeat(depth)}`;
    boundaries.push(...blocks(dir, layerPatterns(layer, depth), layerPatterns(layer, depth, { test: true })));
  }
}
for (const driver of drivers) {
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const dir = `src/drivers/${driver}/${'*/'.repeat(depth)}`;
    const production = [...layerPatterns('drivers', depth + 1), ...driverPatterns(driver, depth)];
    boundaries.push(
      ...blocks(dir, production, layerPatterns('drivers', depth + 1, { test: true, extra: ['sim-cloud'] })),
    );
  }
}

const restrictedSyntax = [
  {
    selector: "MemberExpression[object.name='process'][property.name='env']",
    message: 'Read configuration through src/config only.',
  },
  {
    selector: 'ImportExpression > Literal[value=/^\\./]',
    message: 'A relative dynamic import escapes the import-boundary check: import it statically.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/', '.phantom/', 'coverage/', '**/*.tmp.*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-aware checks on the TypeScript sources (tsconfig.json's project, via the project service).
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          // `void p` alone would hide a rejection: end the chain with .catch instead.
          ignoreVoid: false,
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
    },
  },
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', ...restrictedSyntax],
    },
  },
  {
    files: ['src/config/**', 'src/**/*.test.ts'],
    rules: { 'no-restricted-syntax': ['error', ...restrictedSyntax.slice(1)] },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**', 'bin/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  ...boundaries,
);
