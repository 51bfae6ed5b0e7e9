import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { loadConfig } from '../../src/config/config.ts';
import type { Clock } from '../../src/contracts/clock.ts';
import { startServer, type RunningServer } from '../../src/main.ts';

/** A key pair of a test user. */
export interface TestCredentials {
  user: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** An in-process Phantom on a random port with its own temporary data dir. */
export interface TestServer {
  url: string;
  port: number;
  running: RunningServer;
  dataDir: string;
  admin: TestCredentials;
  /** Creates a user with one key pair (what `phantom user add` does). */
  addUser(name: string): Promise<TestCredentials>;
  /** A real @aws-sdk/client-auto-scaling client for `creds` (no retries, so errors surface at once). */
  sdk(creds: TestCredentials): AutoScalingClient;
  close(): Promise<void>;
}

export const ADMIN: TestCredentials = {
  user: 'admin',
  accessKeyId: 'AKIDPHANTOMTESTADMIN',
  secretAccessKey: 'test/secret+with=chars',
};

/** Starts a server with the admin key pair set through the environment, as an operator would. */
export async function startTestServer(
  opts: { env?: Record<string, string>; clock?: Clock; log?: Logger } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'phantom-test-'));
  const config = loadConfig(
    // API-level tests seed instances by hand, so the controller is off unless a test turns it on.
    {
      PHANTOM_LISTEN: '127.0.0.1:0',
      PHANTOM_DATA_DIR: dataDir,
      PHANTOM_ACCESS_KEY: ADMIN.accessKeyId,
      PHANTOM_SECRET_KEY: ADMIN.secretAccessKey,
      PHANTOM_CONTROLLER: 'off',
      // Tests run side by side: none takes the default metrics port unless it asks for one.
      PHANTOM_METRICS_LISTEN: 'off',
      ...opts.env,
    },
    dataDir,
  );
  const running = await startServer(config, {
    clock: opts.clock,
    log: opts.log ?? pino({ level: 'silent' }),
    print: () => {},
  });
  const { accounts } = running.dataDir;
  return {
    url: running.url,
    port: running.port,
    running,
    dataDir,
    admin: ADMIN,
    async addUser(name) {
      const user = await accounts.createUser(name);
      const key = await accounts.createKey(user);
      return { user: name, ...key };
    },
    sdk(creds) {
      return new AutoScalingClient({
        endpoint: running.url,
        region: 'us-east-1',
        credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
        maxAttempts: 1,
      });
    },
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
