import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { dirname } from 'node:path';
import type { SimInstanceRecord, SimSnapshot } from './record.ts';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkInstance(raw: unknown, at: string): SimInstanceRecord {
  if (
    !isRecord(raw) ||
    typeof raw.id !== 'string' ||
    !/^i-[0-9a-f]{17}$/.test(raw.id) ||
    typeof raw.state !== 'string' ||
    typeof raw.clientToken !== 'string' ||
    !isRecord(raw.tags) ||
    typeof raw.launchedAt !== 'number' ||
    typeof raw.bootsAt !== 'number'
  ) {
    throw new Error(`${at}: not a sim instance record`);
  }
  return raw as unknown as SimInstanceRecord;
}

/**
 * Reads a sim state file written by `saveSimSnapshot`.
 * @returns The snapshot, or undefined when the file does not exist.
 * @throws Error (naming the file) when it is unreadable, not JSON, of another version or site.
 */
export function loadSimSnapshot(file: string, site: string): SimSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (isRecord(e) && e.code === 'ENOENT') return undefined;
    throw new Error(`${file}: cannot read sim state`, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: sim state is not valid JSON`, { cause: e });
  }
  if (
    !isRecord(raw) ||
    raw.version !== 1 ||
    typeof raw.epoch !== 'string' ||
    typeof raw.sequence !== 'number' ||
    !Array.isArray(raw.instances)
  ) {
    throw new Error(`${file}: not a version 1 sim state`);
  }
  if (raw.site !== site) throw new Error(`${file}: sim state is for site '${String(raw.site)}', not '${site}'`);
  const instances = raw.instances.map((r, i) => checkInstance(r, `${file}: instances[${i}]`));
  return { version: 1, site, epoch: raw.epoch, sequence: raw.sequence, instances };
}

/**
 * Writes the snapshot atomically: a temp file beside `file`, then rename over it, so a crash
 * leaves either the old or the new state, never a torn one. Creates the directory if needed.
 * (No fsync: survives a process crash, not a power cut.) Idempotent.
 * @throws Error from the file system (the old file is then unchanged).
 */
export function saveSimSnapshot(file: string, snapshot: SimSnapshot): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(snapshot), { mode: 0o600 });
    renameSync(temp, file);
  } catch (e) {
    rmSync(temp, { force: true });
    throw e;
  }
}

/** Instances serialised per synchronous piece of `saveSimSnapshotInPieces`. */
export const SAVE_CHUNK = 1000;

/** How one `saveSimSnapshotInPieces` went. */
export interface PiecewiseSave {
  /** Whether the file was replaced (false when `stillWanted` said no at the end). */
  saved: boolean;
  /** Milliseconds spent holding the event loop, summed over the pieces. */
  busyMs: number;
}

/**
 * Writes the same file as `saveSimSnapshot`, `SAVE_CHUNK` instances at a time with the event
 * loop free between pieces (each piece is serialised then written asynchronously), to a temp
 * file `temp` renamed over `file` at the end — unless `stillWanted()` then says otherwise (a
 * newer state was written meanwhile), in which case the temp file is removed. The snapshot's
 * records may change while it is written: each one is saved as it is when its piece is
 * serialised, so the caller must save again after any change made meanwhile.
 * @throws Error from the file system (the old file is then unchanged; the temp file removed).
 */
export async function saveSimSnapshotInPieces(
  file: string,
  temp: string,
  snapshot: SimSnapshot,
  stillWanted: () => boolean,
): Promise<PiecewiseSave> {
  let started = performance.now();
  let busyMs = 0;
  mkdirSync(dirname(file), { recursive: true });
  const { instances, ...head } = snapshot;
  const handle = await open(temp, 'w', 0o600);
  let closed = false;
  let renamed = false;
  try {
    for (let from = 0; from === 0 || from < instances.length; from += SAVE_CHUNK) {
      const piece = instances.slice(from, from + SAVE_CHUNK).map((record) => JSON.stringify(record));
      const text =
        (from === 0 ? `${JSON.stringify(head).slice(0, -1)},"instances":[` : ',') +
        piece.join(',') +
        (from + SAVE_CHUNK >= instances.length ? ']}' : '');
      busyMs += performance.now() - started;
      await handle.write(text);
      await nextTurn();
      started = performance.now();
    }
    closed = true;
    await handle.close();
    if (stillWanted()) {
      await rename(temp, file);
      renamed = true;
    }
  } finally {
    if (!closed) await handle.close().catch(() => undefined);
    if (!renamed) await rm(temp, { force: true });
  }
  return { saved: renamed, busyMs: busyMs + performance.now() - started };
}
