import { InvalidArgumentError } from 'commander';
import { systemClock } from '../contracts/clock.ts';
import { loadConfig } from '../config/config.ts';
import { openDataDir, type DataDir } from '../data-dir.ts';

/** Where CLI output goes (injectable for tests). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export const consoleIo: CliIo = {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
};

/** Commander's parser for a count option. */
export const count = (value: string): number => {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('must be a non-negative integer');
  return Number(value);
};

/**
 * Runs `fn` against the data dir of the configured (possibly running) server, saying on
 * stderr which one. Only commands that may start a fresh installation (`user add`) create a
 * missing data dir; the others fail naming it.
 */
export async function withData<T>(io: CliIo, fn: (data: DataDir) => Promise<T>, create = false): Promise<T> {
  const config = loadConfig();
  io.err(`phantom: data dir ${config.dataDir}`);
  const data = await openDataDir(config, systemClock, undefined, { create });
  try {
    return await fn(data);
  } finally {
    await data.close();
  }
}
