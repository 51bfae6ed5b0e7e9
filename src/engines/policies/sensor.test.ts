import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PhantomError } from '../../contracts/errors.ts';
import { decideSensor, parseSensorConfig, sensorAverage, type SensorConfig, type SensorObservation } from './sensor.ts';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const tags = (values: Record<string, string>) => Object.entries(values).map(([key, value]) => ({ key, value }));
// The tags of the original's sandbox script sensor_asg_create.py.
const SANDBOX = {
  metric: 'load',
  sample_function: 'Average',
  scale_up_threshold: '2.0',
  scale_up_n_vms: '1',
  scale_down_threshold: '0.5',
  scale_down_n_vms: '1',
};

describe('sensor: parseSensorConfig', () => {
  it('reads the sandbox script’s tags, with the bounds from MinSize/MaxSize', () => {
    assert.deepEqual(parseSensorConfig(tags(SANDBOX), { minSize: 1, maxSize: 5 }), {
      metric: 'load',
      sampleFunction: 'Average',
      scaleUpThreshold: 2,
      scaleUpNVms: 1,
      scaleDownThreshold: 0.5,
      scaleDownNVms: 1,
      cooldownPeriod: 0,
      minSize: 1,
      maxSize: 5,
    });
  });
  it('defaults: Average, steps of 1, no cooldown; ignores other tags', () => {
    const config = parseSensorConfig(
      tags({
        metric: 'proc.loadavg.1min',
        scale_up_threshold: '80',
        scale_down_threshold: '20',
        PHANTOM_DEFINITION: 'x',
      }),
      { minSize: 0, maxSize: 3 },
    );
    assert.deepEqual(
      [config.sampleFunction, config.scaleUpNVms, config.scaleDownNVms, config.cooldownPeriod],
      ['Average', 1, 1, 0],
    );
  });
  it('accepts spaces around values, exponents, negatives and equal thresholds', () => {
    const config = parseSensorConfig(
      tags({ ...SANDBOX, scale_up_threshold: ' 1e2 ', scale_down_threshold: '-5', cooldown_period: ' 300 ' }),
      { minSize: 2, maxSize: 2 },
    );
    assert.deepEqual([config.scaleUpThreshold, config.scaleDownThreshold, config.cooldownPeriod], [100, -5, 300]);
    const equal = parseSensorConfig(tags({ ...SANDBOX, scale_up_threshold: '1', scale_down_threshold: '1' }), {
      minSize: 0,
      maxSize: 1,
    });
    assert.equal(equal.scaleUpThreshold, equal.scaleDownThreshold);
  });
  const refusals: [string, Record<string, string | undefined>, RegExp, { minSize: number; maxSize: number }?][] = [
    ['no metric', { metric: undefined }, /needs the tag metric/],
    ['empty metric', { metric: '  ' }, /tag metric has a value/],
    ['a control character in metric', { metric: 'load\n' }, /tag metric/],
    ['a 256-character metric', { metric: 'm'.repeat(256) }, /tag metric/],
    ['sample_function Maximum', { sample_function: 'Maximum' }, /tag sample_function .* only Average/],
    ['no scale_up_threshold', { scale_up_threshold: undefined }, /needs the tag scale_up_threshold/],
    ['scale_up_threshold "high"', { scale_up_threshold: 'high' }, /tag scale_up_threshold has a value "high"/],
    ['scale_up_threshold NaN', { scale_up_threshold: 'NaN' }, /tag scale_up_threshold/],
    ['scale_up_threshold Infinity', { scale_up_threshold: 'Infinity' }, /tag scale_up_threshold/],
    ['scale_up_threshold 1e400', { scale_up_threshold: '1e400' }, /tag scale_up_threshold/],
    ['scale_down_threshold empty', { scale_down_threshold: '' }, /tag scale_down_threshold/],
    ['scale_down_threshold hex', { scale_down_threshold: '0x10' }, /tag scale_down_threshold/],
    [
      'thresholds crossed',
      { scale_up_threshold: '1', scale_down_threshold: '2' },
      /scale_down_threshold \(2\) exceeds scale_up_threshold \(1\)/,
    ],
    ['scale_up_n_vms 1.5', { scale_up_n_vms: '1.5' }, /tag scale_up_n_vms/],
    ['scale_down_n_vms -1', { scale_down_n_vms: '-1' }, /tag scale_down_n_vms/],
    ['cooldown_period 10s', { cooldown_period: '10s' }, /tag cooldown_period/],
    ['cooldown_period 10 digits', { cooldown_period: '1234567890' }, /tag cooldown_period/],
    ['min > max', {}, /MinSize \(3\) exceeds MaxSize \(2\)/, { minSize: 3, maxSize: 2 }],
    ['negative MinSize', {}, /MinSize/, { minSize: -1, maxSize: 2 }],
  ];
  for (const [name, over, pattern, sizes] of refusals) {
    it(`refuses ${name}`, () => {
      const values = Object.fromEntries(
        Object.entries({ ...SANDBOX, ...over }).filter((e): e is [string, string] => e[1] !== undefined),
      );
      assert.throws(
        () => parseSensorConfig(tags(values), sizes ?? { minSize: 0, maxSize: 5 }),
        (e) => e instanceof PhantomError && e.code === 'Validation' && pattern.test(e.message),
      );
    });
  }
  it('quotes a hostile value shortened, never whole', () => {
    assert.throws(
      () => parseSensorConfig(tags({ ...SANDBOX, scale_up_threshold: 'x'.repeat(10_000) }), { minSize: 0, maxSize: 1 }),
      (e) => e instanceof PhantomError && e.message.length < 300,
    );
  });
});

describe('sensor: the original’s averaging', () => {
  const rows: [string, number, number[], number | undefined][] = [
    ['all report', 2, [1, 3], 2],
    ['a healthy instance without data counts as 0', 4, [2, 2], 1],
    ['no instance reports', 3, [], 0],
    ['no instances, no values', 0, [], undefined],
    ['a domain value with no instances', 0, [5], 5],
  ];
  for (const [name, healthy, values, expected] of rows)
    it(name, () => assert.equal(sensorAverage(healthy, values), expected));
});

describe('sensor: decideSensor', () => {
  const config: SensorConfig = parseSensorConfig(tags({ ...SANDBOX, scale_down_n_vms: '2', cooldown_period: '60' }), {
    minSize: 1,
    maxSize: 4,
  });
  const decide = (over: Partial<SensorObservation>) =>
    decideSensor(config, { healthy: 2, instanceValues: [1, 1], now: T0, ...over });
  const rows: [string, Partial<SensorObservation>, number][] = [
    ['between the thresholds: no change', {}, 2],
    ['above scale_up_threshold: +1', { instanceValues: [3, 3] }, 3],
    ['exactly at scale_up_threshold: no change (strict)', { instanceValues: [2, 2] }, 2],
    ['below scale_down_threshold: -2, clamped to MinSize 1', { instanceValues: [0.1, 0.1] }, 1],
    ['exactly at scale_down_threshold: no change (strict)', { instanceValues: [0.5, 0.5] }, 2],
    ['missing data counts as 0 and scales down', { healthy: 3, instanceValues: [1] }, 1],
    ['one hot instance among silent ones is diluted', { healthy: 4, instanceValues: [6] }, 4],
    ['at MaxSize', { healthy: 4, instanceValues: [9, 9, 9, 9] }, 4],
    ['zero instances, no data: raised to MinSize', { healthy: 0, instanceValues: [] }, 1],
    ['zero instances, a hot domain value: up', { healthy: 0, instanceValues: [], domainValue: 9 }, 1],
    ['a domain value is one more value', { healthy: 2, instanceValues: [2, 2], domainValue: 5 }, 3],
    ['below MinSize is raised even between thresholds', { healthy: 0, instanceValues: [], domainValue: 1 }, 1],
    ['in cooldown: nothing happens', { instanceValues: [9, 9], lastScaleAt: T0 - 59_999 }, 2],
    ['in cooldown: not even the MinSize floor', { healthy: 0, instanceValues: [], lastScaleAt: T0 - 1000 }, 0],
    ['cooldown over', { instanceValues: [9, 9], lastScaleAt: T0 - 60_000 }, 3],
  ];
  for (const [name, over, desired] of rows) {
    it(name, () => {
      const decision = decide(over);
      assert.equal(decision.desired, desired, decision.reason);
      assert.equal(decision.delta, desired - (over.healthy ?? 2));
    });
  }
  it('min = max holds the size', () => {
    const pinned = { ...config, minSize: 3, maxSize: 3 };
    assert.equal(decideSensor(pinned, { healthy: 3, instanceValues: [9, 9, 9], now: T0 }).desired, 3);
    assert.equal(decideSensor(pinned, { healthy: 3, instanceValues: [0, 0, 0], now: T0 }).desired, 3);
  });
  it('reports the average it compared', () => {
    assert.equal(decide({ instanceValues: [3, 4] }).average, 3.5);
    assert.equal(decide({ healthy: 0, instanceValues: [] }).average, undefined);
  });
  const refusals: [string, Partial<SensorObservation>][] = [
    ['NaN value', { instanceValues: [NaN, 1] }],
    ['Infinity value', { instanceValues: [Infinity, 1] }],
    ['NaN domain value', { domainValue: NaN }],
    ['more values than instances', { healthy: 1, instanceValues: [1, 1] }],
    ['negative healthy', { healthy: -1, instanceValues: [] }],
    ['NaN now', { now: NaN }],
    ['Infinity lastScaleAt', { lastScaleAt: Infinity }],
  ];
  for (const [name, over] of refusals) {
    it(`refuses ${name}`, () =>
      assert.throws(
        () => decide(over),
        (e) => e instanceof PhantomError && e.code === 'Validation',
      ));
  }
});
