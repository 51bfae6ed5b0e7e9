import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { PhantomError } from '../../contracts/errors.ts';
import { cursorOf } from '../activity-cursor.ts';
import { activity, at, group, launchConfiguration, user } from '../cases/fixtures.ts';
import { phantomMigrations } from '../migrations/index.ts';
import { storeContract } from '../store.case.ts';
import { EXTERNAL_CHANGE_WINDOW_MS } from '../sql/sql-store.ts';
import { openSqliteStore } from './sqlite-store.ts';

storeContract('sqlite :memory:', () => openSqliteStore({ file: ':memory:' }));

describe('sqlite on files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'phantom-store-'));
  const files = { next: 0 };
  const freshFile = (): string => join(dir, `db-${++files.next}`, 'phantom.db');
  after(() => rmSync(dir, { recursive: true, force: true }));

  storeContract('sqlite file', () => openSqliteStore({ file: freshFile() }));

  describe('two stores on one file (CLI beside the server)', () => {
    const file = freshFile();
    before(async () => (await openSqliteStore({ file })).close());

    it("each sees the other's writes at once, and compare-and-set spans them", async () => {
      const server = await openSqliteStore({ file });
      const cli = await openSqliteStore({ file });
      try {
        await cli.createUser(user('u1', { name: 'alice' }));
        await cli.createAccessKey({ accessKeyId: 'AKIA1', userId: 'u1', sealedSecret: 's', createdTime: at(0) });
        assert.equal((await server.getAccessKey('AKIA1'))?.userId, 'u1');

        await server.transaction(async (tx) => {
          await tx.createGroup(group('u1', 'g1'));
          await tx.createLaunchConfiguration(launchConfiguration('u1', 'lc1@hotel'));
        });
        const stampBeforeCliWrite = server.changeStamp();
        const otherOwnerBeforeCliWrite = server.ownerChangeStamp('u2');
        const seenByCli = await cli.getGroup('u1', 'g1');
        assert.ok(seenByCli);
        assert.equal(await cli.countLaunchConfigurations('u1'), 1);

        const bumped = await cli.updateGroup({ ...seenByCli, desiredCapacity: 3 });
        await new Promise((resolve) => setTimeout(resolve, EXTERNAL_CHANGE_WINDOW_MS + 5));
        assert.notEqual(
          server.changeStamp(),
          stampBeforeCliWrite,
          "the other process's commit changes this one's stamp within the window",
        );
        assert.notEqual(
          server.ownerChangeStamp('u2'),
          otherOwnerBeforeCliWrite,
          "another process's commit changes every owner's stamp (it cannot say whose records it wrote)",
        );
        assert.deepEqual(await server.getGroup('u1', 'g1'), bumped);
        await assert.rejects(
          server.updateGroup({ ...seenByCli, desiredCapacity: 4 }),
          (e: unknown) => e instanceof PhantomError && e.code === 'Conflict',
        );

        await server.putActivity(activity('u1', 'g1', 'a-1', at(1)));
        assert.equal((await cli.listActivities('u1', { limit: 10 })).length, 1);
        assert.equal(await cli.deleteGroup('u1', 'g1'), true);
        assert.equal(await server.getGroup('u1', 'g1'), undefined);
        assert.deepEqual(await server.listActivities('u1', { limit: 10 }), []);
      } finally {
        await cli.close();
        await server.close();
      }
    });
  });

  describe('migrations', () => {
    it('apply once and are skipped on every reopen; data and WAL mode persist', async () => {
      const file = freshFile();
      const first = await openSqliteStore({ file });
      await first.setMeta('installation-id', 'x1');
      await first.putActivity(activity('u1', 'g1', 'a-1', at(1)));
      await first.close();
      await first.close(); // idempotent

      for (let n = 0; n < 2; n++) {
        const again = await openSqliteStore({ file });
        assert.equal(await again.getMeta('installation-id'), 'x1');
        const [a] = await again.listActivities('u1', { limit: 1 });
        assert.ok(a);
        assert.equal(cursorOf(a), `${at(1).toISOString()}|a-1`);
        await again.close();
      }

      const raw = new Database(file, { readonly: true });
      try {
        const applied = raw.prepare('select name from kysely_migration order by name').all() as { name: string }[];
        assert.deepEqual(
          applied.map((r) => r.name),
          Object.keys(phantomMigrations('sqlite')).sort(),
        );
        assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
      } finally {
        raw.close();
      }
    });

    it('survive two processes opening a fresh file at the same moment', async () => {
      const file = freshFile();
      const script = join(dir, 'open-and-write.mts');
      writeFileSync(
        script,
        [
          `import { openSqliteStore } from ${JSON.stringify(fileURLToPath(new URL('./sqlite-store.ts', import.meta.url)))};`,
          'const store = await openSqliteStore({ file: process.argv[2] });',
          'await store.transaction(async (tx) => tx.setMeta(process.argv[3], String(await tx.getMeta(process.argv[3]))));',
          'await store.close();',
        ].join('\n'),
      );
      const run = (key: string): Promise<number | null> =>
        new Promise((resolve, reject) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script, file, key], {
            stdio: ['ignore', 'ignore', 'inherit'],
          });
          child.on('error', reject);
          child.on('exit', resolve);
        });
      assert.deepEqual(await Promise.all([run('a'), run('b'), run('c')]), [0, 0, 0]);
      const store = await openSqliteStore({ file });
      try {
        assert.deepEqual(
          [await store.getMeta('a'), await store.getMeta('b'), await store.getMeta('c')],
          ['undefined', 'undefined', 'undefined'],
        );
      } finally {
        await store.close();
      }
    });
  });
});
