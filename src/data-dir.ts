import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from './contracts/clock.ts';
import type { Store } from './contracts/store.ts';
import { ConfigError, type PhantomConfig } from './config/config.ts';
import { SecretBox } from './security/secret-box.ts';
import { Accounts } from './services/accounts.ts';
import { CloudCredentials } from './services/credentials.ts';
import { SiteCatalog } from './services/site-catalog.ts';
import { acquireServerLock, DataDirInUseError, type ServerLock } from './store/sqlite/server-lock.ts';
import { openSqliteStore } from './store/sqlite/sqlite-store.ts';

export { DataDirInUseError };

/** The opened state directory: the store and what reads secrets from it. */
export interface DataDir {
  store: Store;
  box: SecretBox;
  accounts: Accounts;
  credentials: CloudCredentials;
  /** The known sites: the config file's (or the defaults) plus CLI-added ones; read once at open, `refresh()` to see later changes. */
  sites: SiteCatalog;
  close(): Promise<void>;
}

/** How a command opens the data dir. */
export interface DataDirAccess {
  /** Optional, default true. Create the directory when missing; false: a missing one is a ConfigError. */
  create?: boolean;
  /**
   * Optional, default false. Hold the data dir for this process (the server): a second holder
   * fails with DataDirInUseError. CLI commands do not hold it and run beside the server.
   */
  exclusive?: boolean;
}

/** Decodes PHANTOM_MASTER_KEY (64 hex characters or base64 of 32 bytes). */
function decodeMasterKey(value: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, 'hex') : Buffer.from(value, 'base64');
  if (key.length !== 32) throw new ConfigError('PHANTOM_MASTER_KEY must be 32 bytes, as 64 hex characters or base64.');
  return key;
}

/** The master key: from the config, else `<dataDir>/master.key` (created 0600 on first use). */
function masterKey(config: PhantomConfig): Buffer {
  if (config.masterKey) return decodeMasterKey(config.masterKey);
  const file = join(config.dataDir, 'master.key');
  if (!existsSync(file)) writeFileSync(file, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return decodeMasterKey(readFileSync(file, 'utf8').trim());
}

/**
 * Opens the data directory: SQLite database, master key, the known sites (read once; the
 * server refreshes them on a timer). Used by the server (exclusive) and by CLI commands,
 * which may run while the server does (SQLite WAL).
 * @param onInvalidSite told about a stored site that no longer validates (it is left out).
 * @throws ConfigError on a bad master key or a missing directory that may not be created;
 *   DataDirInUseError (exclusive) when another server holds it; store errors on an unusable database.
 */
export async function openDataDir(
  config: PhantomConfig,
  clock: Clock,
  onInvalidSite?: (name: string, message: string) => void,
  access: DataDirAccess = {},
): Promise<DataDir> {
  if (!existsSync(config.dataDir)) {
    if (access.create === false)
      throw new ConfigError(
        `No data dir at ${config.dataDir} (PHANTOM_DATA_DIR, default .phantom in the current directory): run this where the server runs, or set PHANTOM_DATA_DIR.`,
      );
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  }
  const lock = access.exclusive ? acquireServerLock(config.dataDir) : undefined;
  try {
    return await openLocked(config, clock, onInvalidSite, lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}

async function openLocked(
  config: PhantomConfig,
  clock: Clock,
  onInvalidSite: ((name: string, message: string) => void) | undefined,
  lock: ServerLock | undefined,
): Promise<DataDir> {
  const box = new SecretBox(masterKey(config));
  const store = await openSqliteStore({ file: join(config.dataDir, 'phantom.db') });
  const sites = SiteCatalog.forConfig(config, store, onInvalidSite);
  try {
    await sites.refresh();
  } catch (error) {
    await store.close();
    throw error;
  }
  const credentials = new CloudCredentials(store, box, clock, () => sites.names());
  const close = async (): Promise<void> => {
    try {
      await store.close();
    } finally {
      lock?.release();
    }
  };
  return { store, box, accounts: new Accounts(store, box, clock), credentials, sites, close };
}

/** Writes the bootstrap admin's credentials where only the server's user can read them. */
export function writeAdminCredentials(config: PhantomConfig, accessKeyId: string, secretAccessKey: string): string {
  const file = join(config.dataDir, 'admin-credentials');
  writeFileSync(file, `PHANTOM_ACCESS_KEY=${accessKeyId}\nPHANTOM_SECRET_KEY=${secretAccessKey}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}
