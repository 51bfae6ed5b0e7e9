import type { ServerResponse } from 'node:http';
import { decodeForm } from '../query/form.ts';

/** The two probes served beside the Query API. */
export type Probe = 'healthz' | 'readyz';

/**
 * Which probe a request asks for: a GET to exactly `/healthz` or `/readyz` with no `Action`
 * parameter. Anything else (another method or path, or an Action) belongs to the Query API,
 * which accepts any path. Never throws (an undecodable query string is the Query API's to refuse).
 */
export function probeOf(method: string, path: string, rawQuery: string): Probe | undefined {
  if (method !== 'GET' || (path !== '/healthz' && path !== '/readyz')) return undefined;
  try {
    if (decodeForm(rawQuery).some(([name]) => name === 'Action')) return undefined;
  } catch {
    return undefined;
  }
  return path === '/healthz' ? 'healthz' : 'readyz';
}

/**
 * Answers a probe with a status and one word (text/plain), unauthenticated: `/healthz` 200 `ok`
 * while the process serves; `/readyz` 200 `ready` when `ready()` resolves true, else 503
 * `not ready` (also when it throws). Nothing else is said, so nothing can leak.
 */
export async function answerProbe(res: ServerResponse, probe: Probe, ready: () => Promise<boolean>): Promise<number> {
  const isReady = probe === 'healthz' || (await ready().catch(() => false));
  const [status, body] = probe === 'healthz' ? [200, 'ok'] : isReady ? [200, 'ready'] : [503, 'not ready'];
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  });
  res.end(body);
  return status;
}
