import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

/** The bytes every Query API request carries (Version=2011-01-01) and the one-byte change made to them. */
export const ORIGINAL = Buffer.from('2011-01-01', 'latin1');
export const TAMPERED = Buffer.from('2011-01-02', 'latin1');

/** A TCP proxy on 127.0.0.1 in front of a server. */
export interface TamperProxy {
  /** e.g. http://127.0.0.1:40001 — point clients here instead of at the server. */
  url: string;
  host: string;
  port: number;
  /** How many client→server chunks were changed so far. */
  tampered(): number;
  close(): Promise<void>;
}

/**
 * Replaces the first occurrence of `2011-01-01` in `chunk` with `2011-01-02` (one byte
 * changed). Returns the same buffer object when there is nothing to change.
 */
export function tamperChunk(chunk: Buffer): Buffer {
  const at = chunk.indexOf(ORIGINAL);
  if (at < 0) return chunk;
  const copy = Buffer.from(chunk);
  TAMPERED.copy(copy, at);
  return copy;
}

/**
 * Starts a TCP proxy on 127.0.0.1 (a free port) that forwards to `target`. With `tamper`
 * (the default) each client→server chunk has its first `2011-01-01` changed to `2011-01-02`,
 * which lands inside the signed query string or form body of every Query API request (the
 * Version parameter); everything else passes through unchanged in both directions. With
 * `tamper: false` it is a plain pass-through (a control: the proxy itself breaks nothing).
 */
export async function startTamperProxy(
  target: { host: string; port: number },
  opts: { tamper?: boolean } = {},
): Promise<TamperProxy> {
  const tamper = opts.tamper ?? true;
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    const forget = (s: Socket) => () => sockets.delete(s);
    client.once('close', forget(client));
    upstream.once('close', forget(upstream));
    client.on('data', (chunk: Buffer) => {
      const out = tamper ? tamperChunk(chunk) : chunk;
      if (out !== chunk) count++;
      if (!upstream.write(out)) {
        client.pause();
        upstream.once('drain', () => client.resume());
      }
    });
    upstream.pipe(client);
    client.once('end', () => upstream.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    tampered: () => count,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
