import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import pino from 'pino';
import type { Store } from '../../contracts/store.ts';
import type { ServiceDeps } from '../../services/deps.ts';
import { PageTokens } from '../../services/page-tokens.ts';
import { group, instance, user } from '../../store/cases/fixtures.ts';
import { openSqliteStore } from '../../store/sqlite/sqlite-store.ts';
import type { Authenticator } from '../auth/authenticate.ts';
import { header, type RawRequest } from '../http/raw-request.ts';
import type { ActionDefinition } from '../query/action.ts';
import { QueryApi } from '../query/dispatch.ts';
import { describeGroupsAction } from './describe-groups.ts';

/** Trusts an `x-user` header: these tests are about what happens after authentication. */
const trusting = {
  authenticate: async (req: RawRequest) => ({ userId: header(req, 'x-user')!, accessKeyId: 'AK', method: 'sigv2' }),
} as unknown as Authenticator;

const NAMES = Array.from({ length: 6 }, (_, i) => `g${i}`);

describe('DescribeAutoScalingGroups keeps each group view while the caller’s records are unchanged', () => {
  let store: Store;
  let api: QueryApi;
  let reads: Record<'groups' | 'members', number>;

  beforeEach(async () => {
    store = await openSqliteStore({ file: ':memory:' });
    for (const owner of ['alice', 'bob']) {
      await store.createUser(user(owner));
      for (const name of NAMES) {
        await store.createGroup(group(owner, name, { desiredCapacity: 2, maxSize: 5 }));
        await store.putInstance(instance(owner, name, `i-${owner}-${name}`));
      }
    }
    reads = { groups: 0, members: 0 };
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'listGroups') reads.groups++;
        if (property === 'listGroupMembers') reads.members++;
        return Reflect.get(target, property, receiver) as unknown;
      },
    });
    const deps = { store: counting, pageTokens: new PageTokens(Buffer.alloc(32, 7)) } as unknown as ServiceDeps;
    const actions = new Map<string, ActionDefinition>([[describeGroupsAction.name, describeGroupsAction]]);
    api = new QueryApi(deps, trusting, async (id) => store.getUserById(id), actions, [], pino({ level: 'silent' }));
  });
  after(() => store.close());

  /** The Result element of one Describe by `owner` (request ids stripped). */
  const describeAs = async (owner: string, params: Record<string, string | string[]> = {}): Promise<string> => {
    const query = new URLSearchParams({ Action: 'DescribeAutoScalingGroups', Version: '2011-01-01' });
    for (const [key, value] of Object.entries(params))
      if (Array.isArray(value)) value.forEach((v, i) => query.append(`${key}.member.${i + 1}`, v));
      else query.append(key, value);
    const answer = await api.handle({
      method: 'GET',
      path: '/',
      rawQuery: query.toString(),
      headers: new Map([['x-user', [owner]]]),
      body: Buffer.alloc(0),
    });
    const text = Buffer.concat(answer.body).toString();
    assert.equal(answer.status, 200, text);
    return text.match(/<DescribeAutoScalingGroupsResult>.*<\/DescribeAutoScalingGroupsResult>/s)![0];
  };
  const namesIn = (xml: string) => [...xml.matchAll(/<AutoScalingGroupName>([^<]+)</g)].map((m) => m[1]!);

  it('answers the same names in another order from the views: same XML, no store read', async () => {
    const cold = await describeAs('alice', { AutoScalingGroupNames: NAMES });
    assert.deepEqual(reads, { groups: 1, members: 1 });
    const warm = await describeAs('alice', { AutoScalingGroupNames: [...NAMES].reverse() });
    assert.equal(warm, cold);
    assert.deepEqual(namesIn(warm), NAMES);
    assert.deepEqual(reads, { groups: 1, members: 1 });
  });

  it('reads only the groups it holds no view of, and remembers names with no group', async () => {
    await describeAs('alice', { AutoScalingGroupNames: ['g1', 'nope'] });
    const both = await describeAs('alice', { AutoScalingGroupNames: ['nope', 'g2', 'g1'] });
    assert.deepEqual(namesIn(both), ['g1', 'g2']);
    assert.deepEqual(reads, { groups: 2, members: 2 });
    await describeAs('alice', { AutoScalingGroupNames: ['nope', 'g2'] });
    assert.deepEqual(reads, { groups: 2, members: 2 });
  });

  it("shows the caller's own writes at once, and a group created under a remembered-absent name", async () => {
    await describeAs('alice', { AutoScalingGroupNames: ['g1', 'new'] });
    await store.updateGroup({ ...(await store.getGroup('alice', 'g1'))!, desiredCapacity: 4 });
    await store.createGroup(group('alice', 'new'));
    const after = await describeAs('alice', { AutoScalingGroupNames: ['new', 'g1'] });
    assert.deepEqual(namesIn(after), ['g1', 'new']);
    assert.match(after, /<AutoScalingGroupName>g1<\/AutoScalingGroupName>.*?<DesiredCapacity>4</s);
  });

  it("keeps views through another user's writes, and never shows one user's view to another", async () => {
    const alice = await describeAs('alice', { AutoScalingGroupNames: NAMES });
    await store.updateGroup({ ...(await store.getGroup('bob', 'g1'))!, desiredCapacity: 5 });
    const bob = await describeAs('bob', { AutoScalingGroupNames: NAMES });
    assert.doesNotMatch(bob, /i-alice/);
    assert.match(bob, /i-bob-g1/);
    assert.doesNotMatch(alice, /i-bob/);
    const before = { ...reads };
    assert.equal(await describeAs('alice', { AutoScalingGroupNames: [...NAMES].reverse() }), alice);
    assert.deepEqual(reads, before);
  });

  it('pages named and listed Describes exactly as a cold read does', async () => {
    const pages = async (params: Record<string, string | string[]>) => {
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const xml = await describeAs('alice', { ...params, MaxRecords: '4', ...(token ? { NextToken: token } : {}) });
        seen.push(...namesIn(xml));
        token = xml.match(/<NextToken>([^<]+)</)?.[1];
      } while (token);
      return seen;
    };
    assert.deepEqual(await pages({ AutoScalingGroupNames: [...NAMES].reverse() }), NAMES);
    const membersBefore = reads.members;
    assert.deepEqual(await pages({}), NAMES);
    assert.equal(reads.members, membersBefore, 'listed pages reuse the views the named Describe built');
  });
});
