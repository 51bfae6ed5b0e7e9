import { after, describe, it } from 'node:test';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { FixedClock } from '../contracts/clock.ts';
import type { SiteConfig } from '../config/config.ts';
import { SecretBox } from '../security/secret-box.ts';
import { CloudCredentials } from '../services/credentials.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { DriverProvider } from './driver-provider.ts';

describe('DriverProvider', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'phantom-drivers-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));
  const setup = async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    const clock = new FixedClock();
    const user = { id: '111111111111', name: 'ann', isAdmin: false, createdTime: clock.now(), limits: {} };
    await store.createUser(user);
    let sites: SiteConfig[] = [
      { driver: 'sim', site: 'hotel', bootMs: 0 },
      { driver: 'ec2', site: 'india', region: 'us-east-1', endpoint: 'http://127.0.0.1:1' },
    ];
    const credentials = new CloudCredentials(store, new SecretBox(Buffer.alloc(32, 3)), clock, () =>
      sites.map((s) => s.site),
    );
    await credentials.set(user, 'india', { accessKey: 'AK', secretKey: 'SK' });
    const provider = new DriverProvider(() => sites, credentials, {
      clock,
      random: () => 0.5,
      dataDir: mkdtempSync(join(dataDir, 'd-')),
    });
    return { store, user, credentials, provider, setSites: (next: SiteConfig[]) => (sites = next) };
  };

  it('reads the sites on every call: added sites work, removed ones are unknown', async () => {
    const { store, provider, setSites } = await setup();
    await assert.rejects(provider.driverFor('111111111111', 'juliet'), /Unknown site juliet/);
    setSites([{ driver: 'sim', site: 'juliet' }]);
    assert.ok(await provider.driverFor('111111111111', 'juliet'));
    await assert.rejects(provider.driverFor('111111111111', 'india'), /Unknown site india/);
    await store.close();
  });

  it('keeps a driver while settings and keys are unchanged, and builds a new one when either changes', async () => {
    const { store, user, credentials, provider, setSites } = await setup();
    const first = await provider.driverFor(user.id, 'india');
    assert.equal(await provider.driverFor(user.id, 'india'), first);
    setSites([{ driver: 'ec2', site: 'india', region: 'us-east-1', endpoint: 'http://127.0.0.1:2' }]);
    const second = await provider.driverFor(user.id, 'india');
    assert.notEqual(second, first);
    assert.equal(await provider.driverFor(user.id, 'india'), second);
    await credentials.set(user, 'india', { accessKey: 'AK2', secretKey: 'SK' });
    assert.notEqual(await provider.driverFor(user.id, 'india'), second);
    await store.close();
  });

  it('keeps one driver per sim site name whatever its settings (its state may be open only once)', async () => {
    const { store, user, provider, setSites } = await setup();
    const sim = await provider.driverFor(user.id, 'hotel');
    setSites([{ driver: 'sim', site: 'hotel', bootMs: 5000 }]);
    assert.equal(await provider.driverFor(user.id, 'hotel'), sim);
    await store.close();
  });

  it('opens a sim site once for callers that ask while it loads; a failed open is tried again', async () => {
    const { store, user, provider, setSites } = await setup();
    const stateFile = join(dataDir, 'kilo.json');
    writeFileSync(stateFile, '{"version":1,"site":"kilo","epoch":"e","sequence":0,"instances":[\n');
    setSites([{ driver: 'sim', site: 'kilo', stateFile }]);
    await assert.rejects(provider.driverFor(user.id, 'kilo'), /kilo\.json: line 2: sim state is torn/);
    await assert.rejects(provider.driverFor(user.id, 'kilo'), /torn/, 'still torn');
    writeFileSync(stateFile, '{"version":1,"site":"kilo","epoch":"e","sequence":0,"instances":[\n]}\n');
    const [a, b] = await Promise.all([provider.driverFor(user.id, 'kilo'), provider.driverFor(user.id, 'kilo')]);
    assert.equal(a, b);
    assert.equal(await provider.driverFor(user.id, 'kilo'), a);
    await store.close();
  });
});
