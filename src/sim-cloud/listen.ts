import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SimCloud } from '../drivers/sim/open.ts';

/**
 * Starts a simulated-cloud HTTP server (either API) on `host:port` (0 = any free port), with a
 * plain 400 for unparseable HTTP.
 * @returns the bound port and the base URL (IPv6 hosts in brackets).
 * @throws the listen error (e.g. EADDRINUSE).
 */
export async function listenSimServer(
  server: Server,
  host: string,
  port: number,
): Promise<{ port: number; url: string }> {
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return { port: bound, url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}` };
}

/** Stops a simulated-cloud server: aborts calls in flight, drops connections, writes the cloud's state file. */
export async function closeSimServer(server: Server, closing: AbortController, cloud: SimCloud): Promise<void> {
  closing.abort(new Error('sim-cloud server closing'));
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  cloud.flush();
}
