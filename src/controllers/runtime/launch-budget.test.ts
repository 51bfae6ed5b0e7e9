import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FairLaunchBudget, interleaveByOwner } from './launch-budget.ts';

/** Asks in the given order ("owner@site" each) and returns who got a slot. */
function grants(perSite: number, owners: number, asks: string[]): string[] {
  const budget = new FairLaunchBudget(perSite, owners);
  return asks.filter((ask) => {
    const [owner, site] = ask.split('@') as [string, string];
    return budget.take(owner, site);
  });
}

describe('FairLaunchBudget', () => {
  const cases: Array<{ name: string; perSite: number; owners: number; asks: string[]; granted: string[] }> = [
    {
      name: 'one owner takes the whole site, no more',
      perSite: 3,
      owners: 1,
      asks: ['a@h', 'a@h', 'a@h', 'a@h'],
      granted: ['a@h', 'a@h', 'a@h'],
    },
    {
      name: 'an owner asking first cannot take the share of one asking later',
      perSite: 4,
      owners: 2,
      asks: ['a@h', 'a@h', 'a@h', 'a@h', 'b@h', 'b@h', 'b@h'],
      granted: ['a@h', 'a@h', 'b@h', 'b@h'],
    },
    {
      name: 'each site has its own slots',
      perSite: 2,
      owners: 2,
      asks: ['a@h', 'a@h', 'a@s', 'a@s', 'b@h'],
      granted: ['a@h', 'a@s', 'b@h'],
    },
    {
      name: 'more owners than slots: one each until the site is full',
      perSite: 2,
      owners: 3,
      asks: ['a@h', 'a@h', 'b@h', 'c@h'],
      granted: ['a@h', 'b@h'],
    },
    {
      name: 'an odd share rounds up, the site total still holds',
      perSite: 5,
      owners: 2,
      asks: ['a@h', 'a@h', 'a@h', 'a@h', 'b@h', 'b@h', 'b@h'],
      granted: ['a@h', 'a@h', 'a@h', 'b@h', 'b@h'],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      assert.deepEqual(grants(c.perSite, c.owners, c.asks), c.granted);
    });

  it('counts its refusals', () => {
    const budget = new FairLaunchBudget(1, 1);
    assert.equal(budget.take('a', 'h'), true);
    assert.equal(budget.take('a', 'h'), false);
    assert.equal(budget.take('a', 'h'), false);
    assert.equal(budget.refusals, 2);
  });
});

describe('interleaveByOwner', () => {
  const keys = (s: string) => s.split(' ').map((k) => ({ owner: k[0]!, name: k }));
  const names = (items: Array<{ name: string }>) => items.map((i) => i.name).join(' ');
  it('takes owners in turns, not one owner’s thousands first', () => {
    assert.equal(names(interleaveByOwner(keys('a1 a2 a3 a4 b1 c1 c2'))), 'a1 b1 c1 a2 c2 a3 a4');
  });
  it('rotates the first owner', () => {
    assert.equal(names(interleaveByOwner(keys('a1 a2 b1 c1'), 1)), 'b1 c1 a1 a2');
    assert.equal(names(interleaveByOwner(keys('a1 a2 b1 c1'), 5)), 'c1 a1 b1 a2');
    assert.deepEqual(interleaveByOwner([], 3), []);
  });
});
