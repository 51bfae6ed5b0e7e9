import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_SITES, loadConfig } from './config.ts';

const dir = mkdtempSync(join(tmpdir(), 'phantom-config-hc-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const configError = (pattern: RegExp) => (e: unknown) => e instanceof ConfigError && pattern.test(e.message);

describe('config file healthChecks', () => {
  it('allows no other host by default', () => {
    assert.deepEqual(loadConfig({}, dir).healthChecks, { allowHosts: [] });
  });

  it('reads healthChecks.allowHosts; a file without sites keeps the default sites', () => {
    const config = loadConfig(
      { PHANTOM_CONFIG: file('hc.yaml', 'healthChecks:\n  allowHosts: [health.internal, 127.0.0.1, "::1"]\n') },
      dir,
    );
    assert.deepEqual(config.healthChecks.allowHosts, ['health.internal', '127.0.0.1', '::1']);
    assert.deepEqual(config.sites, DEFAULT_SITES);
  });

  it('refuses allowHosts that are not plain hosts, naming the entry', () => {
    for (const [name, text, pattern] of [
      ['u.yaml', 'healthChecks:\n  allowHosts: ["http://a.example/"]\n', /allowHosts\[0\]/],
      ['p.yaml', 'healthChecks:\n  allowHosts: [ok.example, "a.example:80"]\n', /allowHosts\[1\]/],
      ['s.yaml', 'healthChecks:\n  allowHosts: a.example\n', /allowHosts must be a list/],
      ['k.yaml', 'healthChecks:\n  allowHost: [a.example]\n', /unknown key allowHost/],
    ] as const)
      assert.throws(() => loadConfig({ PHANTOM_CONFIG: file(name, text) }, dir), configError(pattern), name);
  });
});
