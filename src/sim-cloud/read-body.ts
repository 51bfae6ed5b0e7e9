import type { IncomingMessage } from 'node:http';

/**
 * Reads a request body of at most `maxBytes` (both simulated-cloud APIs).
 * @throws the error `tooLarge()` makes, once the body exceeds `maxBytes` (the request is then
 *   destroyed); the request's own error.
 */
export function readBody(req: IncomingMessage, maxBytes: number, tooLarge: () => Error): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(tooLarge());
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
