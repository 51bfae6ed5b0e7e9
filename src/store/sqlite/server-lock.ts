import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** A held data dir: the server's, until `release()` or until the process dies. */
export interface ServerLock {
  /** Releases the lock (idempotent). The kernel releases it too when the process dies, even by SIGKILL. */
  release(): void;
}

/** Who holds a data dir, as the holder wrote it beside the lock. */
export interface LockHolder {
  pid: number;
  /** The holder's command line, when /proc shows it. */
  command?: string;
}

/** Thrown when another process holds the data dir. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | undefined,
  ) {
    const who = holder
      ? `process ${holder.pid}${holder.command ? ` (${holder.command})` : ''}`
      : 'another process (it has not written its pid yet)';
    super(
      `The data dir ${dataDir} is in use by ${who}: one server per data dir. Stop that server, or set PHANTOM_DATA_DIR to another directory.`,
    );
    this.name = 'DataDirInUseError';
  }
}

const LOCK_FILE = 'server.lock';
const HOLDER_FILE = 'server.pid';

/** The command line of a process, when readable (Linux /proc). */
function commandLine(pid: number): string | undefined {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return argv.length > 0 ? argv.join(' ') : undefined;
  } catch {
    return undefined;
  }
}

function readHolder(dataDir: string): LockHolder | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, HOLDER_FILE), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    const command = commandLine(pid);
    return command === undefined ? { pid } : { pid, command };
  } catch {
    return undefined;
  }
}

/**
 * Takes the data dir for this process: an exclusive SQLite lock (a POSIX record lock) on
 * `<dataDir>/server.lock`, held by an open transaction until `release()` or process exit.
 * The kernel drops the lock when the process dies, however it dies, so a stale lock never
 * blocks a restart; the pid is written to `server.pid` only to name the holder. Readers of the
 * data dir (the CLI) do not take this lock.
 * @throws DataDirInUseError naming the data dir and the holder when another process has it.
 */
export function acquireServerLock(dataDir: string): ServerLock {
  const db = new Database(join(dataDir, LOCK_FILE), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = MEMORY'); // no journal file left behind by a killed holder
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new DataDirInUseError(dataDir, readHolder(dataDir));
    throw error;
  }
  writeFileSync(join(dataDir, HOLDER_FILE), `${process.pid}\n`, { mode: 0o600 });
  let held = true;
  return {
    release: () => {
      if (!held) return;
      held = false;
      db.close();
    },
  };
}
