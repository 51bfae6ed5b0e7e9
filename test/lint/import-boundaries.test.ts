import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';

// The project's real config; type information is switched off so fixtures need not exist on disk.
const eslint = new ESLint({ overrideConfig: tseslint.configs.disableTypeChecked });

/** The import-boundary messages ESLint gives `code` placed at `filePath`. */
async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

const importing = (path: string) => `import { x } from '${path}';\nexport const y = x;\n`;

describe('import boundaries', () => {
  const refused: [file: string, path: string][] = [
    ['src/metrics/alarms/x.ts', '../../engines/registry.ts'],
    ['src/metrics/alarms/x.ts', '../../controllers/ownership.ts'],
    ['src/services/x.ts', '../api/query/errors.ts'],
    ['src/services/nested/x.ts', '../../api/query/errors.ts'],
    ['src/controllers/runtime/x.ts', '../../api/query/errors.ts'],
    ['src/controllers/x.test.ts', '../api/query/errors.ts'],
    ['src/store/sql/x.ts', '../../services/deps.ts'],
    ['src/store/x.ts', '../drivers/registry.ts'],
    ['src/contracts/x.ts', '../lib/random.ts'],
    ['src/lib/x.ts', '../contracts/errors.ts'],
    ['src/domain/x.ts', '../engines/registry.ts'],
    ['src/engines/n-preserving-overflow/x.ts', '../../drivers/sim/open.ts'],
    ['src/drivers/openstack/x.ts', '../sim/sim-driver.ts'],
    ['src/drivers/ec2/x.ts', '../registry.ts'],
    ['src/drivers/ec2/x.ts', '../../sim-cloud/server.ts'],
    ['src/config/x.ts', '../api/query/errors.ts'],
    ['src/security/x.ts', '../../test/support/harness.ts'],
    ['src/controllers/x.ts', '../../test/support/harness.ts'],
    ['src/telemetry/x.ts', '../controllers/controller.ts'],
    ['src/drivers/sim/sim-driver.ts', '../../../bench/support.ts'],
    ['src/metrics/prometheus/x.ts', '../../services/deps.ts'],
    ['src/metrics/x.ts', '../config/config.ts'],
    ['src/metrics/prometheus/x.ts', '../../engines/registry.ts'],
    ['src/metrics/store/x.ts', '../../services/deps.ts'],
    ['src/metrics/store/x.ts', '../../api/cloudwatch/errors.ts'],
    ['src/metrics/x.ts', '../store/sql/groups.ts'],
  ];
  for (const [file, path] of refused) {
    it(`refuses ${path} from ${file}`, async () => {
      const errors = await boundaryErrors(file, importing(path));
      assert.equal(errors.length, 1, `expected one boundary error, got ${JSON.stringify(errors)}`);
      assert.match(errors[0]!, /boundary \(DESIGN §3\)/);
    });
  }

  it('also checks re-exports', async () => {
    assert.equal((await boundaryErrors('src/services/x.ts', "export * from '../api/query/errors.ts';\n")).length, 1);
  });

  it('refuses relative dynamic imports, which would slip past the check', async () => {
    const errors = await boundaryErrors('src/services/x.ts', "export const m = () => import('./deps.ts');\n");
    assert.equal(errors.length, 1);
  });

  const allowed: [file: string, path: string][] = [
    ['src/metrics/alarms/x.ts', '../../domain/alarm.ts'],
    ['src/metrics/alarms/x.ts', '../../contracts/errors.ts'],
    ['src/services/x.ts', '../store/sql/groups.ts'],
    ['src/store/sql/x.ts', '../../contracts/records.ts'],
    ['src/store/sql/x.ts', '../cases/fixtures.ts'],
    ['src/engines/n-preserving-overflow/x.ts', '../../domain/placement.ts'],
    ['src/drivers/ec2/x.ts', '../driver-config-error.ts'],
    ['src/drivers/ec2/x.ts', '../../lib/random.ts'],
    ['src/drivers/registry.ts', './sim/open.ts'],
    ['src/drivers/ec2/ec2-sim-harness.ts', '../sim/knobs.ts'],
    ['src/drivers/ec2/ec2-sim-harness.ts', '../../sim-cloud/server.ts'],
    ['src/api/query/x.ts', '../../services/deps.ts'],
    ['src/controllers/x.test.ts', '../../test/support/harness.ts'],
    ['src/telemetry/x.test.ts', '../../test/support/log-capture.ts'],
    ['src/drivers/sim/sim-driver.test.ts', '../../../test/support/eventually.ts'],
    ['src/telemetry/build-info.ts', '../../package.json'],
    ['src/metrics/prometheus/x.ts', '../../contracts/metric-source.ts'],
    ['src/metrics/x.ts', '../domain/scaling-policy.ts'],
    ['src/metrics/prometheus/x.ts', '../../lib/is-record.ts'],
    ['src/config/x.ts', '../metrics/prometheus/settings.ts'],
    ['src/metrics/store/x.ts', '../../contracts/clock.ts'],
    ['src/metrics/store/x.ts', '../../domain/names.ts'],
    ['src/metrics/store/x.test.ts', '../../../test/support/eventually.ts'],
  ];
  for (const [file, path] of allowed) {
    it(`allows ${path} from ${file}`, async () => {
      assert.deepEqual(await boundaryErrors(file, importing(path)), []);
    });
  }

  it('gives every folder of src/ except the top ones (api, cli, sim-cloud) an import rule', async () => {
    const top = new Set(['api', 'cli', 'sim-cloud']);
    const folders = readdirSync('src', { withFileTypes: true }).filter((e) => e.isDirectory() && !top.has(e.name));
    const unruled = [];
    for (const { name } of folders) {
      const config = (await eslint.calculateConfigForFile(`src/${name}/x.ts`)) as { rules?: Record<string, unknown> };
      if (!config.rules?.['no-restricted-imports']) unruled.push(name);
    }
    assert.deepEqual(unruled, [], 'give each new folder of src/ its place in eslint.config.js');
  });
});
