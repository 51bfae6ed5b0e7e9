import pino, { type Logger } from 'pino';

/** One parsed JSON log line. */
export type LogLine = Record<string, unknown> & { level: number; msg?: string };

/** A pino logger at `level` whose lines are kept, parsed, in `lines` (and raw in `raw`). */
export function captureLog(level = 'info'): { log: Logger; lines: LogLine[]; raw: string[] } {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const log = pino(
    { level, base: undefined },
    {
      write(chunk: string) {
        for (const line of chunk.split('\n').filter(Boolean)) {
          raw.push(line);
          lines.push(JSON.parse(line) as LogLine);
        }
      },
    },
  );
  return { log, lines, raw };
}
