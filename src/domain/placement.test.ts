import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhantomError } from '../contracts/errors.ts';
import { isSensorDomain, parseClouds, pinsCapacity, resolvePlacement, sitesCovered } from './placement.ts';

const ctx = {
  knownSites: ['hotel', 'sierra', 'ec2:us-east-1'],
  launchConfigurationNames: ['testlc1@hotel', 'testlc1@sierra', 'plain', 'x@ec2:us-east-1'],
};
const domain = (clouds: string, extra: Array<[string, string]> = []) => ({
  tags: [['PHANTOM_DEFINITION', 'error_overflow_n_preserving'], ['clouds', clouds], ['minimum_vms', '3'], ...extra].map(
    ([key, value]) => ({ key: key!, value: value!, propagateAtLaunch: false }),
  ),
  availabilityZones: ['us-east-1'],
  launchConfigurationName: 'testlc1@hotel',
});
const rejects = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof PhantomError && e.code === 'Validation' && pattern.test(e.message));

describe('clouds tag', () => {
  it('ranks by position, splits on the last colon, allows -1', () => {
    assert.deepEqual(parseClouds('hotel:1, sierra:2,ec2:us-east-1:-1'), [
      { site: 'hotel', max: 1 },
      { site: 'sierra', max: 2 },
      { site: 'ec2:us-east-1', max: -1 },
    ]);
  });
  it('refuses malformed items and duplicates', () => {
    for (const bad of ['hotel', 'hotel:x', 'hotel:-2', ':3', 'hotel:1,,sierra:2', 'hotel:1.5'])
      rejects(() => parseClouds(bad), /format is <cloud site name>:<integer size>/);
    rejects(() => parseClouds('hotel:1,hotel:2'), /more than once/);
  });
});

describe('placement', () => {
  it('a Phantom domain follows its clouds tag', () => {
    assert.deepEqual(resolvePlacement(domain('hotel:1,sierra:2'), ctx), {
      kind: 'phantom',
      sites: [
        { site: 'hotel', max: 1 },
        { site: 'sierra', max: 2 },
      ],
    });
  });
  it('a Phantom domain needs known sites the launch configuration covers', () => {
    rejects(() => resolvePlacement(domain('hotel:1,nowhere:2'), ctx), /Unknown site nowhere/);
    rejects(
      () => resolvePlacement(domain('hotel:1,ec2:us-east-1:2'), ctx),
      /has no entry for site ec2:us-east-1; create testlc1@ec2:us-east-1/,
    );
  });
  it('refuses unknown or unsupported definitions and bad numbers', () => {
    rejects(
      () =>
        resolvePlacement(
          { ...domain('hotel:1'), tags: [{ key: 'PHANTOM_DEFINITION', value: 'bogus', propagateAtLaunch: false }] },
          ctx,
        ),
      /bogus is an unknown definition type/,
    );
    rejects(
      () =>
        resolvePlacement(
          {
            ...domain('hotel:1'),
            tags: [{ key: 'PHANTOM_DEFINITION', value: 'single_site_n_preserving', propagateAtLaunch: false }],
          },
          ctx,
        ),
      /not supported/,
    );
    rejects(() => resolvePlacement(domain('hotel:1', [['maximum_vms', 'many']]), ctx), /maximum_vms has a value many/);
    rejects(
      () =>
        resolvePlacement(
          {
            ...domain('hotel:1'),
            tags: [{ key: 'PHANTOM_DEFINITION', value: 'error_overflow_n_preserving', propagateAtLaunch: false }],
          },
          ctx,
        ),
      /requires a clouds tag/,
    );
  });
  it("accepts the original's sensor tags, and a sensor_engine domain on its launch configuration's site", () => {
    const sensor = domain('hotel:1,sierra:2', [
      ['metric', 'load'],
      ['scale_up_threshold', '2'],
    ]);
    assert.deepEqual(resolvePlacement(sensor, ctx).sites, [
      { site: 'hotel', max: 1 },
      { site: 'sierra', max: 2 },
    ]);
    assert.equal(isSensorDomain(sensor.tags), true);
    assert.equal(pinsCapacity(sensor.tags), false, 'a sensor domain keeps its bounds');
    assert.equal(pinsCapacity(domain('hotel:1').tags), true);
    assert.equal(isSensorDomain([{ key: 'metric', value: 'load', propagateAtLaunch: false }]), false, 'not a domain');
    const single = (lc: string) => ({
      tags: [{ key: 'PHANTOM_DEFINITION', value: 'sensor_engine', propagateAtLaunch: false }],
      availabilityZones: ['us-east-1'],
      launchConfigurationName: lc,
    });
    assert.deepEqual(resolvePlacement(single('testlc1@sierra'), ctx).sites, [{ site: 'sierra', max: -1 }]);
    rejects(() => resolvePlacement(single('plain'), ctx), /runs on its launch configuration's site/);
  });
  it('a plain group uses zones that name sites, in the given order, uncapped', () => {
    const p = resolvePlacement(
      { tags: [], availabilityZones: ['sierra', 'us-east-1a', 'hotel', 'sierra'], launchConfigurationName: 'plain' },
      ctx,
    );
    assert.deepEqual(p, {
      kind: 'aws',
      sites: [
        { site: 'sierra', max: -1 },
        { site: 'hotel', max: -1 },
      ],
    });
  });
  it('otherwise every site the launch configuration covers, in name order', () => {
    assert.deepEqual(
      resolvePlacement(
        { tags: [], availabilityZones: ['us-east-1a'], launchConfigurationName: 'testlc1@sierra' },
        ctx,
      ).sites.map((s) => s.site),
      ['hotel', 'sierra'],
    );
    assert.deepEqual(sitesCovered('plain', ctx), ['ec2:us-east-1', 'hotel', 'sierra']);
  });
});
