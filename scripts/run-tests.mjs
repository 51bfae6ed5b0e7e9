// Runs the test files of a tier under the given roots with node's test runner.
//   node scripts/run-tests.mjs [--tier fast|e2e|all] [--list] [root ...]   (default: all, src test)
// TEST_CONCURRENCY sets how many files run at once (default 2).
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { inTier, testFiles, TIERS } from './test-tiers.mjs';

const { values, positionals } = parseArgs({
  options: { tier: { type: 'string', default: 'all' }, list: { type: 'boolean', default: false } },
  allowPositionals: true,
});
if (!TIERS.includes(values.tier)) {
  console.error(`unknown tier '${values.tier}' (one of ${TIERS.join(', ')})`);
  process.exit(2);
}
const roots = positionals.length ? positionals : ['src', 'test'];
const files = inTier(values.tier, testFiles(roots));
if (files.length === 0) {
  console.error(`no ${values.tier} test files found under`, roots.join(' '));
  process.exit(1);
}
if (values.list) {
  console.log(files.join('\n'));
  process.exit(0);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
  // The AWS SDK's Node-version warning (a dozen lines per test process on Node 20), by its documented switch.
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED:
        process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ?? 'true',
    },
  },
);
process.exit(result.status ?? 1);
