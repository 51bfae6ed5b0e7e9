import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'phantom-modes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const modes = (base: string) =>
  ['', '-wal', '-shm'].map((suffix) => [`${base}${suffix}`, statSync(`${base}${suffix}`).mode & 0o777]);

describe('SQLite store file modes', () => {
  it('creates phantom.db, -wal and -shm 0600 in a directory that already existed (umask 022)', async () => {
    chmodSync(dir, 0o755);
    const previous = process.umask(0o022);
    try {
      const file = join(dir, 'phantom.db');
      const store = await openSqliteStore({ file });
      await store.setMeta('k', 'v');
      assert.deepEqual(modes(file), [
        [file, 0o600],
        [`${file}-wal`, 0o600],
        [`${file}-shm`, 0o600],
      ]);
      await store.close();
    } finally {
      process.umask(previous);
    }
  });

  it('tightens the files of a database created 0644 before', async () => {
    const file = join(dir, 'old.db');
    const first = await openSqliteStore({ file });
    await first.setMeta('k', 'v');
    await first.close();
    writeFileSync(`${file}-wal`, '');
    writeFileSync(`${file}-shm`, '');
    for (const [path] of modes(file)) chmodSync(path as string, 0o644);
    const again = await openSqliteStore({ file });
    await again.setMeta('k', 'w');
    assert.ok(
      modes(file).every(([, mode]) => mode === 0o600),
      JSON.stringify(modes(file)),
    );
    await again.close();
  });
});
