import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pino from 'pino';
import type { Store } from '../../contracts/store.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { group, instance, user } from '../../store/cases/fixtures.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import { header, type RawRequest } from '../http/raw-request.ts';
import { defineAction, type ActionDefinition } from './action.ts';
import { QueryApi } from './dispatch.ts';
import { struct } from './shape.ts';

/** Trusts an `x-user` header: these tests are about what happens after authentication. */
const trusting = {
  authenticate: async (req: RawRequest) => ({ userId: header(req, 'x-user')!, accessKeyId: 'AK', method: 'sigv2' }),
} as unknown as Authenticator;

const request = (userId: string, action: string): RawRequest => ({
  method: 'GET',
  path: '/',
  rawQuery: `Action=${action}&Version=2011-01-01`,
  headers: new Map([['x-user', [userId]]]),
  body: Buffer.alloc(0),
});

describe('QueryApi read cache', () => {
  let store: Store;
  let api: QueryApi;
  const reads = new Map<string, number>();
  before(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    for (const id of ['alice', 'bob']) {
      await store.createUser(user(id));
      await store.createGroup(group(id, 'g'));
    }
    const describeAction = defineAction({
      name: 'DescribeThings',
      input: struct({}),
      readOnly: true,
      async handle({ user: caller, deps }) {
        reads.set(caller.id, (reads.get(caller.id) ?? 0) + 1);
        return { Count: (await deps.store.listInstances(caller.id, {})).length };
      },
    });
    const actions = new Map<string, ActionDefinition>([['DescribeThings', describeAction as ActionDefinition]]);
    api = new QueryApi(
      { store } as ServiceDeps,
      trusting,
      async (id) => store.getUserById(id),
      actions,
      ['DescribeThings'],
      pino({ level: 'silent' }),
    );
  });
  after(() => store.close());

  const describeAs = async (id: string) => {
    const answer = await api.handle(request(id, 'DescribeThings'));
    assert.equal(answer.status, 200, Buffer.concat(answer.body).toString());
    return Buffer.concat(answer.body)
      .toString()
      .match(/<Count>(\d+)<\/Count>/)![1];
  };

  it("serves a user's repeated Describe from the cache, through another user's writes", async () => {
    await describeAs('alice');
    await describeAs('alice'); // the second sighting is kept
    await describeAs('alice');
    assert.equal(reads.get('alice'), 2);
    await store.putInstance(instance('bob', 'g', 'i-bob-1'));
    await store.updateGroup({ ...(await store.getGroup('bob', 'g'))!, desiredCapacity: 2 });
    await describeAs('alice');
    assert.equal(reads.get('alice'), 2, "bob's writes must not evict alice's answer");
    assert.equal(await describeAs('bob'), '1');
  });

  it("reads again after the user's own records change", async () => {
    const before = reads.get('alice') ?? 0;
    await store.putInstance(instance('alice', 'g', 'i-alice-1'));
    assert.equal(await describeAs('alice'), '1');
    assert.equal(reads.get('alice'), before + 1);
  });
});

describe('QueryApi read cache admission', () => {
  it('keeps an answer only once its request comes back: one-off requests are never stored', async () => {
    const store = await openSqliteStore({ file: ':memory:' });
    await store.createUser(user('carol'));
    let reads = 0;
    const describeAction = defineAction({
      name: 'DescribeThings',
      input: struct({}),
      readOnly: true,
      async handle() {
        reads++;
        return { Count: reads };
      },
    });
    const api = new QueryApi(
      { store } as ServiceDeps,
      trusting,
      async (id) => store.getUserById(id),
      new Map<string, ActionDefinition>([['DescribeThings', describeAction as ActionDefinition]]),
      ['DescribeThings'],
      pino({ level: 'silent' }),
    );
    for (let i = 0; i < 4; i++) await api.handle(request('carol', 'DescribeThings'));
    assert.equal(reads, 2, 'built on the first and second sighting, stored on the second, then served');
    await store.close();
  });
});
