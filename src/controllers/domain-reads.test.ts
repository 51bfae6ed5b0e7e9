import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Store } from '../contracts/store.ts';
import { instance } from '../store/cases/fixtures.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { directReads, INSTANCE_PAGE_SIZE, listInstancesInPages, visitInstancePages } from './domain-reads.ts';

/** A store of `perGroup` instances in each of groups g1 and g2 (ids interleaved), with its page reads counted. */
async function storeWith(perGroup: number): Promise<{ store: Store; pages: number[] }> {
  const store = await openSqliteStore({ file: ':memory:' });
  for (let i = 0; i < 2 * perGroup; i++) {
    await store.putInstance(instance('u1', i % 2 ? 'g2' : 'g1', `i-${String(i).padStart(5, '0')}`));
  }
  await store.putInstance(instance('u2', 'g1', 'i-other'));
  const pages: number[] = [];
  const listInstances = store.listInstances.bind(store);
  store.listInstances = async (owner, query) => {
    const page = await listInstances(owner, query);
    pages.push(page.length);
    return page;
  };
  return { store, pages };
}

describe('visitInstancePages', () => {
  it('hands each page to the visitor as it is read, the default page small enough to hold the loop briefly', async () => {
    const { store, pages } = await storeWith(INSTANCE_PAGE_SIZE);
    try {
      const visited: number[] = [];
      const ids: string[] = [];
      await visitInstancePages(store, 'u1', undefined, (page) => {
        visited.push(page.length);
        assert.equal(pages.length, visited.length, 'visited before the next page is read');
        for (const i of page) ids.push(i.instanceId);
      });
      assert.ok(INSTANCE_PAGE_SIZE <= 250, 'pages of 1,000 held the loop for 6–16 ms at 50,000 instances');
      assert.deepEqual(visited, [INSTANCE_PAGE_SIZE, INSTANCE_PAGE_SIZE, 0]);
      assert.deepEqual(
        ids,
        (await store.listInstances('u1', {})).map((i) => i.instanceId),
      );
    } finally {
      await store.close();
    }
  });
});

describe('listInstancesInPages', () => {
  it('reads the same instances, in the same order, as one query, a page at a time', async () => {
    const { store, pages } = await storeWith(25);
    try {
      const whole = await store.listInstances('u1', {});
      pages.length = 0;
      assert.deepEqual(await listInstancesInPages(store, 'u1', undefined, 20), whole);
      assert.deepEqual(pages, [20, 20, 10]);
      pages.length = 0;
      const g2 = await listInstancesInPages(store, 'u1', 'g2', 10);
      assert.deepEqual(g2, await store.listInstances('u1', { groupName: 'g2' }));
      assert.equal(g2.length, 25);
      assert.deepEqual(pages, [10, 10, 5, 25]);
    } finally {
      await store.close();
    }
  });

  it('gives the event loop a turn between pages, and reads a full last page once more', async () => {
    const { store, pages } = await storeWith(10);
    try {
      const turnsAtPage: number[] = [];
      let turns = 0;
      let ticking = true;
      const tick = (): void => {
        turns++;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const listInstances = store.listInstances.bind(store);
      store.listInstances = async (owner, query) => {
        turnsAtPage.push(turns);
        return listInstances(owner, query);
      };
      try {
        assert.equal((await listInstancesInPages(store, 'u1', 'g1', 5)).length, 10);
      } finally {
        ticking = false;
      }
      assert.deepEqual(pages, [5, 5, 0]);
      assert.ok(turnsAtPage[1]! > turnsAtPage[0]! && turnsAtPage[2]! > turnsAtPage[1]!, `turns ${turnsAtPage}`);
    } finally {
      await store.close();
    }
  });

  it('serves directReads().instances (a group, all of it)', async () => {
    const { store } = await storeWith(1100);
    try {
      const read = await directReads(store).instances('u1', 'g1');
      assert.deepEqual(read, await store.listInstances('u1', { groupName: 'g1' }));
      assert.equal(read.length, 1100);
    } finally {
      await store.close();
    }
  });
});
