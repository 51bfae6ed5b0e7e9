import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { Server } from 'node:http';
import { after, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import pino from 'pino';
import type { QueryApi, QueryResponse } from '../query/dispatch.ts';
import type { RawRequest } from './raw-request.ts';
import { createPhantomServer, type HttpOptions } from './server.ts';

/** A QueryApi stand-in: answers 200 with the request's body, once `gate` lets it. */
function echoApi(gate: () => Promise<void> = async () => {}): QueryApi {
  return {
    async handle(req: RawRequest): Promise<QueryResponse> {
      await gate();
      return { status: 200, body: [Buffer.from(`<Echo>${req.body.toString()}</Echo>`)], requestId: 'r-1' };
    },
  } as unknown as QueryApi;
}

/** A pino logger whose JSON lines land in `lines`. */
function capturingLogger(lines: Array<Record<string, unknown>>) {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return pino({ level: 'debug' }, sink);
}

const servers: Server[] = [];
after(() => Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve)))));

async function listen(api: QueryApi, options: Partial<HttpOptions> = {}, lines: Array<Record<string, unknown>> = []) {
  const server = createPhantomServer(api, { maxBodyBytes: 4096, ...options }, capturingLogger(lines));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Writes `bytes` on a fresh loopback connection; resolves with all the server sent once it closes. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString()));
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

const post = (body: string) =>
  `POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

describe('HTTP server: requests Node cannot parse', () => {
  it('answers a pipelined request in flight before refusing the malformed one behind it, then closes', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const port = await listen(echoApi(() => released));
    const answer = exchange(port, `${post('Action=Write')}BOGUS\r\n\r\n`);
    setTimeout(release, 50); // the write's handler is still running when the garbage is parsed
    const text = await answer;
    const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => m[1]);
    assert.deepEqual(statuses, ['200', '404'], text);
    assert.ok(text.indexOf('<Echo>Action=Write</Echo>') < text.indexOf('MalformedQueryString'), text);
  });

  it('answers a request that does not arrive in time 408 RequestTimeout with an AWS error body', async () => {
    const port = await listen(echoApi(), { requestTimeoutMs: 200 });
    const text = await exchange(port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nAction=');
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.match(text, /<Code>RequestTimeout<\/Code>/);
    assert.match(text, /<Type>Sender<\/Type>/);
  });

  it('answers headers that never finish 408 too', async () => {
    const port = await listen(echoApi(), { requestTimeoutMs: 200 });
    const text = await exchange(port, 'POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.match(text, /<Code>RequestTimeout<\/Code>/);
  });
});

describe('HTTP server: aborted requests', () => {
  it('are logged at debug, without a stack trace', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const port = await listen(echoApi(), {}, lines);
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nAction=');
        setTimeout(() => socket.destroy(), 50);
      });
      socket.on('close', () => resolve());
    });
    for (let i = 0; i < 50 && !lines.some((l) => l.msg === 'request aborted'); i++)
      await new Promise((resolve) => setTimeout(resolve, 10));
    const aborted = lines.filter((l) => l.msg === 'request aborted');
    assert.equal(aborted.length, 1, JSON.stringify(lines));
    assert.equal(aborted[0]!.level, 20); // debug
    assert.ok(!JSON.stringify(aborted[0]).includes('stack'), JSON.stringify(aborted[0]));
  });
});
