/** A CloudWatch test fixture: an in-process Phantom on a FixedClock, two users, and signed callers in both protocols. */
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { FixedClock } from '../../src/contracts/clock.ts';
import { startTestServer, type TestCredentials, type TestServer } from './harness.ts';
import { signV4 } from './sign.ts';
import { sendRaw, signJson, type RawResponse } from './sign-json.ts';

/** The fixture clock's time, and the same in epoch seconds (as AWS JSON carries timestamps). */
export const NOW = new Date('2026-11-25T12:00:00Z');
export const T = NOW.getTime() / 1000;

export type Json = Record<string, unknown>;

/** What {@link cloudWatchFixture} gives a test file (read inside tests, once `before` ran). */
export interface CloudWatchFixture {
  readonly server: TestServer;
  readonly alice: TestCredentials;
  readonly bob: TestCredentials;
  readonly clock: FixedClock;
  /** A signed AWS JSON call; a string body is sent as given. Sends x-amzn-query-mode unless told not to. */
  json(creds: TestCredentials, action: string, body: Json | string, queryMode?: boolean): Promise<RawResponse>;
  /** A signed Query call (Version 2010-08-01, credential scope `monitoring`). */
  query(creds: TestCredentials, params: Record<string, string>): Promise<RawResponse>;
  /** PutMetricData over JSON. */
  put(creds: TestCredentials, namespace: string, data: Json[]): Promise<RawResponse>;
}

/** Registers before/after hooks starting a server (with `env`) and users alice and bob. */
export function cloudWatchFixture(env: Record<string, string> = {}): CloudWatchFixture {
  const clock = new FixedClock(NOW);
  const state = {} as { server: TestServer; alice: TestCredentials; bob: TestCredentials };
  before(async () => {
    state.server = await startTestServer({ clock, env });
    state.alice = await state.server.addUser('alice');
    state.bob = await state.server.addUser('bob');
  });
  after(() => state.server.close());
  const json = async (creds: TestCredentials, action: string, body: Json | string, queryMode = true) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const target = `GraniteServiceVersion20100801.${action}`;
    return sendRaw(
      state.server.url,
      await signJson(state.server.url, creds, target, text, { queryMode, date: clock.now() }),
    );
  };
  return {
    get server() {
      return state.server;
    },
    get alice() {
      return state.alice;
    },
    get bob() {
      return state.bob;
    },
    clock,
    json,
    query: async (creds, params) =>
      sendRaw(
        state.server.url,
        await signV4(
          state.server.url,
          creds,
          { Version: '2010-08-01', ...params },
          { service: 'monitoring', date: clock.now() },
        ),
      ),
    put: (creds, namespace, data) => json(creds, 'PutMetricData', { Namespace: namespace, MetricData: data }),
  };
}

/** The JSON body of a 200 answer. */
export function ok(r: RawResponse): Json {
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as Json;
}

/** Asserts a JSON error: status, content type, the query-compatible code (x-amzn-query-error) and a message. */
export function jsonError(r: RawResponse, status: number, code: string): { __type: string; message: string } {
  assert.equal(r.status, status, r.body);
  assert.equal(r.headers.get('content-type'), 'application/x-amz-json-1.0');
  const body = JSON.parse(r.body) as { __type: string; message: string };
  assert.equal(r.headers.get('x-amzn-query-error')?.split(';')[0], code, r.body);
  assert.ok(body.message.length > 0);
  return body;
}

/** Asserts a Query error in CloudWatch's XML namespace. */
export function xmlError(r: RawResponse, status: number, code: string): void {
  assert.equal(r.status, status, r.body);
  assert.match(r.body, new RegExp(`<Code>${code}</Code>`), r.body);
  assert.match(r.body, /xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"/);
}
