import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_SITES, loadConfig, siteNames } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'phantom-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const configError = (pattern: RegExp) => (e: unknown) => e instanceof ConfigError && pattern.test(e.message);

describe('configuration', () => {
  it('has embedded defaults: 127.0.0.1:8445, .phantom, the two simulated sites', () => {
    const config = loadConfig({}, '/srv');
    assert.deepEqual(config.listen, { host: '127.0.0.1', port: 8445 });
    assert.equal(config.dataDir, '/srv/.phantom');
    assert.deepEqual(config.sites, DEFAULT_SITES);
    assert.deepEqual(siteNames(config), ['hotel', 'sierra']);
    assert.equal(config.sitesFile, undefined, 'no file: the sites are the defaults');
    assert.deepEqual(config.defaultLimits, { maxGroups: 500, maxLaunchConfigurations: 200, maxInstances: 1000 });
    assert.deepEqual(config.metricsListen, { host: '127.0.0.1', port: 9464 });
    assert.equal(config.accessLog, true);
  });

  it('reads the metrics listener (off: none) and the access-log switch', () => {
    assert.equal(loadConfig({ PHANTOM_METRICS_LISTEN: 'off' }).metricsListen, undefined);
    assert.deepEqual(loadConfig({ PHANTOM_METRICS_LISTEN: '127.0.0.2:0' }).metricsListen, {
      host: '127.0.0.2',
      port: 0,
    });
    assert.throws(() => loadConfig({ PHANTOM_METRICS_LISTEN: 'none' }), configError(/PHANTOM_METRICS_LISTEN/));
    assert.equal(loadConfig({ PHANTOM_ACCESS_LOG: 'off' }).accessLog, false);
    assert.equal(loadConfig({ PHANTOM_ACCESS_LOG: 'on' }).accessLog, true);
    assert.throws(() => loadConfig({ PHANTOM_ACCESS_LOG: 'no' }), configError(/PHANTOM_ACCESS_LOG must be on or off/));
  });

  it('reads the instance limit, the launch budget and the reconcile timeout', () => {
    const defaults = loadConfig({}, '/srv').controller;
    assert.deepEqual([defaults.launchesPerSite, defaults.reconcileTimeoutMs], [100, 60_000]);
    const config = loadConfig(
      { PHANTOM_MAX_INSTANCES: '50000', PHANTOM_LAUNCHES_PER_SITE: '0', PHANTOM_RECONCILE_TIMEOUT_MS: '5' },
      '/srv',
    );
    assert.equal(config.defaultLimits.maxInstances, 50_000);
    assert.equal(config.controller.launchesPerSite, 1, 'at least one launch per site per batch');
    assert.equal(config.controller.reconcileTimeoutMs, 100, 'at least 100 ms');
    assert.throws(() => loadConfig({ PHANTOM_MAX_INSTANCES: 'many' }), /PHANTOM_MAX_INSTANCES/);
  });

  it('reads sites from a YAML PHANTOM_CONFIG, each validated by its driver', () => {
    const path = file(
      'ok.yaml',
      'sites:\n  hotel:\n    driver: ec2\n    endpoint: http://127.0.0.1:8773\n    region: us-east-1\n    keyName: phantomkey\n  sierra:\n    driver: sim\n    bootMs: 500\n    capacity: 2\n',
    );
    const config = loadConfig({ PHANTOM_CONFIG: path }, dir);
    assert.deepEqual(siteNames(config), ['hotel', 'sierra']);
    assert.deepEqual(config.sites[0], {
      driver: 'ec2',
      site: 'hotel',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:8773',
      keyName: 'phantomkey',
    });
    assert.equal(config.sites[1]!.driver, 'sim');
    assert.equal(config.sitesFile, path, 'the file is remembered, for messages naming it');
  });

  it('names the file and the field of a bad config', () => {
    assert.throws(
      () => loadConfig({ PHANTOM_CONFIG: file('a.yaml', 'sites:\n  hotel:\n    driver: ec2\n') }, dir),
      configError(/sites\.hotel\.region: is required/),
    );
    assert.throws(
      () => loadConfig({ PHANTOM_CONFIG: file('b.yaml', 'sites:\n  hotel:\n    driver: nimbus\n') }, dir),
      configError(/sites\.hotel\.driver: unknown driver "nimbus"/),
    );
    assert.throws(
      () =>
        loadConfig({ PHANTOM_CONFIG: file('c.yaml', 'sites:\n  hotel:\n    driver: sim\n    capacity: lots\n') }, dir),
      configError(/sites\.hotel\.capacity/),
    );
    assert.throws(
      () => loadConfig({ PHANTOM_CONFIG: file('d.yaml', 'clouds: {}\n') }, dir),
      configError(/unknown key clouds/),
    );
    assert.throws(
      () => loadConfig({ PHANTOM_CONFIG: file('e.yaml', 'sites: {}\n') }, dir),
      configError(/at least one site/),
    );
    assert.throws(() => loadConfig({ PHANTOM_CONFIG: file('f.yaml', 'sites: [\n') }, dir), configError(/f\.yaml/));
    assert.throws(() => loadConfig({ PHANTOM_CONFIG: join(dir, 'missing.yaml') }, dir), configError(/missing\.yaml/));
  });

  it('refuses half-set pairs and bad values, naming the variable', () => {
    assert.throws(() => loadConfig({ PHANTOM_TLS_CERT: 'c.pem' }), configError(/PHANTOM_TLS_CERT and PHANTOM_TLS_KEY/));
    assert.throws(
      () => loadConfig({ PHANTOM_ACCESS_KEY: 'AK' }),
      configError(/PHANTOM_ACCESS_KEY and PHANTOM_SECRET_KEY/),
    );
    assert.throws(() => loadConfig({ PHANTOM_LISTEN: 'nowhere' }), configError(/PHANTOM_LISTEN/));
    assert.throws(() => loadConfig({ PHANTOM_LISTEN: '127.0.0.1:99999' }), configError(/PHANTOM_LISTEN/));
    assert.throws(() => loadConfig({ PHANTOM_MAX_GROUPS: '-3' }), configError(/PHANTOM_MAX_GROUPS/));
    assert.deepEqual(loadConfig({ PHANTOM_LISTEN: '[::1]:9000' }).listen, { host: '::1', port: 9000 });
  });
});
