import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SiteRecord } from '../contracts/records.ts';
import { DEFAULT_SITES } from '../config/config.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { SiteCatalog, type SiteStore } from './site-catalog.ts';

const T = new Date('2026-11-25T12:00:00Z');
const record = (name: string, driver: string, settings: Record<string, unknown>): SiteRecord => ({
  name,
  driver,
  settings,
  createdTime: T,
  updatedTime: T,
});

/** A store whose stamp the test moves by hand, counting reads. */
function fakeStore(
  records: SiteRecord[],
): SiteStore & { stamp: number; reads: number; fail?: Error; records: SiteRecord[] } {
  const fake = {
    stamp: 0,
    reads: 0,
    fail: undefined as Error | undefined,
    records,
    changeStamp: () => String(fake.stamp),
    listSites: async () => {
      fake.reads++;
      await new Promise((r) => setImmediate(r));
      if (fake.fail) throw fake.fail;
      return fake.records;
    },
  };
  return fake;
}

describe('SiteCatalog', () => {
  it('starts with the configured sites and adds the stored ones on refresh, by name', async () => {
    const store = fakeStore([record('juliet', 'sim', { bootMs: 0 }), record('india', 'ec2', { region: 'r' })]);
    const catalog = new SiteCatalog({ configured: DEFAULT_SITES, source: 'default', store });
    assert.deepEqual(catalog.names(), ['hotel', 'sierra']);
    assert.equal(await catalog.refresh(), true);
    assert.deepEqual(catalog.names(), ['hotel', 'sierra', 'juliet', 'india']);
    assert.deepEqual(catalog.all()[3], { driver: 'ec2', site: 'india', region: 'r' });
    assert.deepEqual(
      catalog.list().map((e) => e.source),
      ['default', 'default', 'cli', 'cli'],
    );
    assert.equal(catalog.get('juliet')?.config.driver, 'sim');
    assert.equal(catalog.isConfigured('hotel'), true);
    assert.equal(catalog.isConfigured('juliet'), false);
  });

  it('re-reads only when the change stamp moved; concurrent refreshes share one read', async () => {
    const store = fakeStore([]);
    const catalog = new SiteCatalog({ configured: DEFAULT_SITES, source: 'default', store });
    assert.deepEqual(await Promise.all([catalog.refresh(), catalog.refresh()]), [true, true]);
    assert.equal(store.reads, 1);
    assert.equal(await catalog.refresh(), false);
    assert.equal(store.reads, 1);
    store.records = [record('india', 'sim', {})];
    assert.equal(await catalog.refresh(), false, 'unchanged stamp: nothing read');
    assert.deepEqual(catalog.names(), ['hotel', 'sierra']);
    store.stamp++;
    assert.equal(await catalog.refresh(), true);
    assert.deepEqual(catalog.names(), ['hotel', 'sierra', 'india']);
    store.records = [];
    store.stamp++;
    await catalog.refresh();
    assert.deepEqual(catalog.names(), ['hotel', 'sierra'], 'a removed site is gone');
  });

  it('leaves out (and reports once) a stored site that no longer validates, and one the config file shadows', async () => {
    const reported: string[] = [];
    const store = fakeStore([
      record('bad', 'ec2', {}),
      record('hotel', 'ec2', { region: 'r' }),
      record('good', 'sim', {}),
    ]);
    const catalog = new SiteCatalog({
      configured: [{ driver: 'sim', site: 'hotel' }],
      source: 'config',
      file: '/x.yaml',
      store,
      onInvalid: (name, message) => reported.push(`${name}: ${message}`),
    });
    await catalog.refresh();
    store.stamp++;
    await catalog.refresh();
    assert.deepEqual(
      catalog.list().map((e) => [e.config.site, e.config.driver, e.source]),
      [
        ['hotel', 'sim', 'config'],
        ['good', 'sim', 'cli'],
      ],
    );
    assert.deepEqual(reported, ['bad: site bad.region: is required (e.g. us-east-1)']);
    assert.deepEqual(catalog.configuredBy(), { source: 'config', file: '/x.yaml' });
  });

  it('keeps the previous sites when the store fails, and reads again next time', async () => {
    const store = fakeStore([record('india', 'sim', {})]);
    const catalog = new SiteCatalog({ configured: [], source: 'config', store });
    await catalog.refresh();
    store.stamp++;
    store.fail = new Error('SQLITE_BUSY');
    await assert.rejects(catalog.refresh(), /SQLITE_BUSY/);
    assert.deepEqual(catalog.names(), ['india']);
    store.fail = undefined;
    store.records = [];
    assert.equal(await catalog.refresh(), true);
    assert.deepEqual(catalog.names(), []);
  });

  it("sees another connection's writes to the same database (another process: the CLI)", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phantom-catalog-'));
    const server = await openSqliteStore({ file: join(dir, 'phantom.db') });
    const cli = await openSqliteStore({ file: join(dir, 'phantom.db') });
    try {
      const catalog = SiteCatalog.forConfig({ sites: DEFAULT_SITES }, server);
      await catalog.refresh();
      await cli.putSite(record('india', 'ec2', { region: 'us-east-1', endpoint: 'http://127.0.0.1:8773' }));
      const deadline = Date.now() + 2000;
      while (!catalog.names().includes('india') && Date.now() < deadline) {
        await catalog.refresh();
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.deepEqual(catalog.names(), ['hotel', 'sierra', 'india']);
      await cli.deleteSite('india');
      while (catalog.names().includes('india') && Date.now() < deadline) {
        await catalog.refresh();
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.deepEqual(catalog.names(), ['hotel', 'sierra']);
    } finally {
      await cli.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
