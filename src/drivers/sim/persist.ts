import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
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

/** A sim state without its instances. */
export type SimSnapshotHead = Omit<SimSnapshot, 'instances'>;

function parseJson(file: string, text: string, what = 'sim state'): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: ${what} is not valid JSON`, { cause: e });
  }
}

/** The head of a parsed state file, checked; `raw.instances` must be an array (possibly empty). */
function checkHead(file: string, site: string, raw: unknown): SimSnapshotHead & { instances: unknown[] } {
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
  return { version: 1, site, epoch: raw.epoch, sequence: raw.sequence, instances: raw.instances };
}

const notFound = (e: unknown): boolean => isRecord(e) && e.code === 'ENOENT';

/**
 * Reads a sim state file written by `saveSimSnapshot` or `saveSimSnapshotInPieces` (or by an
 * older Phantom, as one line), all at once.
 * @returns The snapshot, or undefined when the file does not exist.
 * @throws Error (naming the file) when it is unreadable, not JSON (torn), of another version or site.
 */
export function loadSimSnapshot(file: string, site: string): SimSnapshot | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (notFound(e)) return undefined;
    throw new Error(`${file}: cannot read sim state`, { cause: e });
  }
  const { instances, ...head } = checkHead(file, site, parseJson(file, text));
  return { ...head, instances: instances.map((r, i) => checkInstance(r, `${file}: instances[${i}]`)) };
}

/** Instances parsed, checked (and, by the caller, indexed) per synchronous piece of `readSimSnapshotInPieces`. */
export const LOAD_CHUNK = 250;

/** …or fewer: a piece of a line-structured file also ends once parsing it took this long (ms). */
export const LOAD_PIECE_MS = 2;

/** A state file being read: its head at once, its instances piece by piece. */
export interface SimSnapshotPieces {
  head: SimSnapshotHead;
  /** The instances in file order, at most `LOAD_CHUNK` (or `LOAD_PIECE_MS` of parsing) at a time, with a turn of the event loop between pieces. @throws Error naming the file and line of a record that is not one (a torn or corrupt file). */
  pieces: AsyncIterable<SimInstanceRecord[]>;
}

/** The first line of a line-structured state file ends so; each instance follows on a line of its own. */
const LINES_HEAD_END = '"instances":[';

/**
 * Reads a sim state file without holding the event loop for long: the file is read
 * asynchronously, its head checked at once, and its instances parsed and checked `chunk` at a
 * time (see `SimSnapshotPieces`). A file in the older one-line layout is parsed at once (one
 * long hold, until its next save rewrites it line by line) and checked in pieces.
 * @returns undefined when the file does not exist.
 * @throws Error (naming the file) when it is unreadable, not JSON, of another version or site;
 *   a torn or corrupt instance line throws from `pieces`.
 */
export async function readSimSnapshotInPieces(
  file: string,
  site: string,
  chunk = LOAD_CHUNK,
): Promise<SimSnapshotPieces | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    if (notFound(e)) return undefined;
    throw new Error(`${file}: cannot read sim state`, { cause: e });
  }
  const firstEnd = bytes.indexOf(0x0a);
  const firstLine = firstEnd < 0 ? '' : bytes.toString('utf8', 0, firstEnd);
  if (!firstLine.endsWith(LINES_HEAD_END)) {
    const { instances, ...head } = checkHead(file, site, parseJson(file, bytes.toString('utf8')));
    return { head, pieces: checkedPieces(file, instances, chunk) };
  }
  const { instances: _none, ...head } = checkHead(file, site, parseJson(file, `${firstLine}]}`));
  return { head, pieces: linePieces(file, bytes, firstEnd + 1, chunk) };
}

async function* checkedPieces(file: string, raw: unknown[], chunk: number): AsyncGenerator<SimInstanceRecord[]> {
  for (let from = 0; from < raw.length; from += chunk) {
    if (from > 0) await nextTurn();
    yield raw.slice(from, from + chunk).map((r, i) => checkInstance(r, `${file}: instances[${from + i}]`));
  }
}

/**
 * The instance lines from byte `at` on: `record,` lines, the last without its comma, then a
 * last line `]}` (its newline optional); anything else (a truncated line, a missing end, text
 * after it) is torn.
 */
async function* linePieces(
  file: string,
  bytes: Buffer,
  at: number,
  chunk: number,
): AsyncGenerator<SimInstanceRecord[]> {
  const torn = (line: number, why: string) => new Error(`${file}: line ${line}: sim state is torn (${why})`);
  let line = 1;
  let last = false; // the record line just read had no comma: only the closing line may follow
  for (let first = true; ; first = false) {
    if (!first) await nextTurn();
    const piece: SimInstanceRecord[] = [];
    const started = performance.now();
    while (piece.length < chunk && (piece.length % 25 !== 24 || performance.now() - started < LOAD_PIECE_MS)) {
      const newline = bytes.indexOf(0x0a, at);
      const end = newline < 0 ? bytes.length : newline;
      line++;
      const text = bytes.toString('utf8', at, end);
      at = end + 1;
      if (text === ']}' && (last || line === 2)) {
        if (at < bytes.length) throw torn(line + 1, 'text after the closing line');
        yield piece;
        return;
      }
      if (newline < 0) throw torn(line, 'no closing line');
      if (last) throw torn(line, 'a record after the last one');
      last = !text.endsWith(',');
      const raw = parseJson(file, last ? text : text.slice(0, -1), `line ${line} of sim state`);
      piece.push(checkInstance(raw, `${file}: line ${line}`));
    }
    yield piece;
  }
}

/**
 * The text of records `from` to `from + count` of a state file: one JSON document laid out in
 * lines (the head and `"instances":[` on the first, one instance per line, `]}` on the last),
 * so that `readSimSnapshotInPieces` can parse it a piece at a time and `JSON.parse` at once.
 */
function snapshotText(snapshot: SimSnapshot, from: number, count: number): string {
  const { instances, ...head } = snapshot;
  const to = Math.min(from + count, instances.length);
  let text = from === 0 ? `${JSON.stringify(head).slice(0, -1)},${LINES_HEAD_END}\n` : '';
  for (let i = from; i < to; i++) text += `${JSON.stringify(instances[i])}${i + 1 < instances.length ? ',' : ''}\n`;
  return to >= instances.length ? `${text}]}\n` : text;
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
    writeFileSync(temp, snapshotText(snapshot, 0, snapshot.instances.length), { mode: 0o600 });
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
  const handle = await open(temp, 'w', 0o600);
  let closed = false;
  let renamed = false;
  try {
    for (let from = 0; from === 0 || from < snapshot.instances.length; from += SAVE_CHUNK) {
      const text = snapshotText(snapshot, from, SAVE_CHUNK);
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
