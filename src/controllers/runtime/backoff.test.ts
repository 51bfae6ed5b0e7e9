import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SiteBackoff } from './backoff.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const SEC = 1000;
const at = (seconds: number) => new Date(T0 + seconds * SEC);
const iso = (d: Date | undefined) => d?.toISOString();

describe('SiteBackoff', () => {
  it('first failure backs off the initial duration; until() reports it and ends exactly then', () => {
    const b = new SiteBackoff({ initialMs: 10 * SEC, maxMs: 80 * SEC });
    assert.equal(iso(b.failure('hotel', at(0))), '2026-01-01T00:00:10.000Z');
    assert.equal(iso(b.until('hotel', at(9.999))), '2026-01-01T00:00:10.000Z');
    assert.equal(b.until('hotel', at(10)), undefined);
    assert.equal(b.until('sierra', at(0)), undefined);
  });

  it('doubles after each ended backoff, up to the maximum', () => {
    const b = new SiteBackoff({ initialMs: 10 * SEC, maxMs: 35 * SEC });
    const got = [0, 10, 30, 100, 200].map((s) => (b.failure('hotel', at(s)).getTime() - at(s).getTime()) / SEC);
    assert.deepEqual(got, [10, 20, 35, 35, 35]);
  });

  it('failures during an active backoff neither double nor extend it', () => {
    const b = new SiteBackoff({ initialMs: 10 * SEC, maxMs: 80 * SEC });
    b.failure('hotel', at(0));
    assert.equal(iso(b.failure('hotel', at(3))), '2026-01-01T00:00:10.000Z');
    assert.equal(iso(b.failure('hotel', at(9))), '2026-01-01T00:00:10.000Z');
    assert.equal(iso(b.failure('hotel', at(10))), '2026-01-01T00:00:30.000Z'); // one doubling, not three
  });

  it('keys are independent', () => {
    const b = new SiteBackoff({ initialMs: 10 * SEC, maxMs: 80 * SEC });
    b.failure('hotel', at(0));
    b.failure('hotel', at(10));
    assert.equal(iso(b.failure('sierra', at(10))), '2026-01-01T00:00:20.000Z');
    assert.equal(iso(b.until('hotel', at(20))), '2026-01-01T00:00:30.000Z');
  });

  it('success resets to the initial duration', () => {
    const b = new SiteBackoff({ initialMs: 10 * SEC, maxMs: 80 * SEC });
    b.failure('hotel', at(0));
    b.failure('hotel', at(10));
    b.success('hotel');
    assert.equal(b.until('hotel', at(11)), undefined);
    assert.equal(iso(b.failure('hotel', at(40))), '2026-01-01T00:00:50.000Z');
  });

  it('resets after a quiet period since the last failure, never during an active backoff', () => {
    const b = new SiteBackoff({ initialMs: 10 * SEC, maxMs: 80 * SEC, resetAfterMs: 60 * SEC });
    b.failure('hotel', at(0));
    b.failure('hotel', at(10)); // 20 s, until 30
    assert.equal(iso(b.failure('hotel', at(70))), '2026-01-01T00:01:50.000Z'); // 60 s after last failure: still doubles to 40
    assert.equal(iso(b.failure('hotel', at(111))), '2026-01-01T00:03:11.000Z'); // 41 s quiet: doubles to 80
    assert.equal(iso(b.failure('hotel', at(252))), '2026-01-01T00:04:22.000Z'); // 141 s quiet > 60: back to 10
  });

  it('prune forgets quiet keys so until() and the next failure start fresh', () => {
    const b = new SiteBackoff({ initialMs: 10 * SEC, maxMs: 80 * SEC, resetAfterMs: 5 * SEC });
    b.failure('hotel', at(0));
    b.prune(at(100));
    assert.equal(iso(b.failure('hotel', at(100))), '2026-01-01T00:01:50.000Z');
  });

  it('refuses bad options naming the field', () => {
    assert.throws(() => new SiteBackoff({ initialMs: 0, maxMs: 10 }), /initialMs/);
    assert.throws(() => new SiteBackoff({ initialMs: 10, maxMs: 5 }), /maxMs/);
    assert.throws(() => new SiteBackoff({ initialMs: 10, maxMs: 50, resetAfterMs: -1 }), /resetAfterMs/);
    assert.throws(() => new SiteBackoff({ initialMs: Number.NaN, maxMs: 50 }), /initialMs/);
  });

  it('launch scope: capacity backs the site off for everyone, other kinds only the user refused', () => {
    const b = new SiteBackoff({ initialMs: 10 * SEC, maxMs: 80 * SEC });
    b.launchFailure('hotel', 'ann', 'auth', at(0));
    assert.equal(iso(b.launchUntil('hotel', 'ann', at(1))), '2026-01-01T00:00:10.000Z');
    assert.equal(b.launchUntil('hotel', 'bob', at(1)), undefined, "ann's keys do not hold bob back");
    b.launchFailure('hotel', 'bob', 'capacity', at(2));
    assert.equal(iso(b.launchUntil('hotel', 'cyd', at(3))), '2026-01-01T00:00:12.000Z', 'a full site is full for all');
    assert.equal(iso(b.launchUntil('hotel', 'ann', at(3))), '2026-01-01T00:00:12.000Z', 'the later of the two holds');
    b.launchSuccess('hotel', 'ann');
    assert.equal(b.launchUntil('hotel', 'ann', at(3)), undefined, 'a success clears both');
  });

  it('transient errors back the site off for everyone after 3 in a row (any users); a success resets the count', () => {
    const b = new SiteBackoff({ initialMs: 10 * SEC, maxMs: 80 * SEC });
    assert.equal(b.launchFailure('hotel', 'ann', 'transient', at(0)), undefined);
    assert.equal(b.launchFailure('hotel', 'bob', 'transient', at(1)), undefined);
    b.launchSuccess('hotel', 'cyd');
    assert.equal(b.launchFailure('hotel', 'ann', 'transient', at(2)), undefined, 'counted afresh after a success');
    assert.equal(b.launchFailure('hotel', 'ann', 'transient', at(3)), undefined);
    assert.deepEqual(b.launchFailure('hotel', 'bob', 'transient', at(4)), {
      until: at(14),
      reason: 'transient',
      siteWide: true,
      started: true,
    });
    assert.deepEqual(b.launchBlock('hotel', 'dan', at(5)), { until: at(14), reason: 'transient' });
    assert.equal(b.launchFailure('hotel', 'ann', 'throttled', at(5)), undefined, 'throttling backs nothing off');
  });

  it('reports whether a failure starts a backoff, and which backoffs a success ends', () => {
    const b = new SiteBackoff({ initialMs: 10 * SEC, maxMs: 80 * SEC });
    assert.equal(b.launchFailure('hotel', 'ann', 'quota', at(0))?.started, true);
    assert.equal(b.launchFailure('hotel', 'ann', 'quota', at(1))?.started, false, 'still active');
    assert.equal(b.launchFailure('hotel', 'bob', 'capacity', at(2))?.siteWide, true);
    assert.deepEqual(b.launchSuccess('hotel', 'ann'), [
      { siteWide: true, reason: 'capacity' },
      { siteWide: false, reason: 'quota' },
    ]);
    assert.deepEqual(b.launchSuccess('hotel', 'ann'), [], 'nothing left to end');
  });

  it('replacement backoff per group: doubles per replacement round, ends when a newer instance passes', () => {
    const b = new SiteBackoff({ initialMs: 10 * SEC, maxMs: 300 * SEC });
    assert.equal(iso(b.replacementFailure('ann', 'web', at(0))), iso(at(10)));
    assert.equal(b.replacementUntil('ann', 'other', at(1)), undefined, 'per group');
    assert.equal(iso(b.replacementFailure('ann', 'web', at(10))), iso(at(30)));
    b.replacementRecovered('ann', 'web', at(5));
    assert.equal(
      iso(b.replacementUntil('ann', 'web', at(11))),
      iso(at(30)),
      'an instance older than the last round proves nothing',
    );
    b.replacementRecovered('ann', 'web', at(10));
    assert.equal(b.replacementUntil('ann', 'web', at(11)), undefined);
    assert.equal(iso(b.replacementFailure('ann', 'web', at(12))), iso(at(22)), 'starts again from the initial backoff');
  });
});
