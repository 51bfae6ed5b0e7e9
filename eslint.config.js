import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Import boundaries (DESIGN §3). Every folder of src/ is a layer; a relative import that climbs
// to src/ names its target layer, so each rule is a regex over the import text, generated per
// folder depth. Strict layers list what they MAY import; the others list what they may not.
// Test code (tests, contract cases, harnesses) obeys the same rules, except that driver test
// kits may reach the simulators they run against.
const STRICT = {
  contracts: ['contracts'],
  lib: ['lib'],
  domain: ['contracts', 'lib', 'domain'],
  engines: ['contracts', 'lib', 'domain', 'engines'],
  store: ['contracts', 'lib', 'store'],
  security: ['contracts', 'lib', 'security'],
  drivers: ['contracts', 'lib', 'drivers'],
};
/** Folders free of import rules: they sit on top (the API, the CLI, the standalone simulators). */
const UNRESTRICTED = ['api', 'cli', 'sim-cloud'];
const ENTRY_POINTS = [...UNRESTRICTED, 'main.ts', 'data-dir.ts'];
const DENIED = {
  services: [...ENTRY_POINTS, 'controllers'],
  controllers: ENTRY_POINTS,
  config: [...ENTRY_POINTS, 'services', 'controllers'],
};
const MAX_DEPTH = 4;
const DRIVER_TEST_KITS = ['src/drivers/**/*.test.ts', 'src/drivers/**/*.case.ts', 'src/drivers/**/*-harness.ts'];
const drivers = readdirSync('src/drivers', { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);

const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const up = (n) => `^(?:\\.\\./){${n}}`;
const target = (name) => (name.endsWith('.ts') ? `${esc(name)}$` : `${esc(name)}/`);
const globAt = (folder, depth) => `src/${folder}/${'*/'.repeat(depth)}*.ts`;

/** Patterns for a file `depth` folders below src/<layer>/. */
function layerPatterns(layer, depth, extraAllowed = []) {
  const toSrc = depth + 1;
  if (STRICT[layer]) {
    const allowed = [...STRICT[layer], ...extraAllowed];
    return [
      {
        regex: `${up(toSrc)}(?!(?:${allowed.map(target).join('|')}))`,
        message: `Layer boundary (DESIGN §3): src/${layer} may import only ${allowed.join(', ')}.`,
      },
    ];
  }
  return [
    {
      regex: `${up(toSrc)}(?:\\.\\./|${DENIED[layer].map(target).join('|')})`,
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
const boundaries = [];
for (const layer of [...Object.keys(STRICT), ...Object.keys(DENIED)]) {
  const nested = layer === 'drivers' ? 1 : MAX_DEPTH + 1;
  for (let depth = 0; depth < nested; depth++) {
    boundaries.push({ files: [globAt(layer, depth)], rules: rule(layerPatterns(layer, depth)) });
  }
}
for (const driver of drivers) {
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const dir = `src/drivers/${driver}/${'*/'.repeat(depth)}`;
    const production = layerPatterns('drivers', depth + 1);
    boundaries.push({
      files: [`${dir}*.ts`],
      ignores: DRIVER_TEST_KITS,
      rules: rule([...production, ...driverPatterns(driver, depth)]),
    });
    boundaries.push({
      files: DRIVER_TEST_KITS.map((glob) => dir + glob.slice(glob.lastIndexOf('/') + 1)),
      rules: rule(layerPatterns('drivers', depth + 1, ['sim-cloud'])),
    });
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
