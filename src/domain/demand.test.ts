import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { demandAt, parseDemand, utilisation } from './demand.ts';
import { checkTags } from './tags.ts';

const at = (iso: string) => Date.parse(iso);

describe('demand models', () => {
  it('evaluates a constant, steps, a sine and a trace', () => {
    assert.equal(demandAt(parseDemand('constant:150'), 0), 150);
    const steps = parseDemand('steps@2026-12-08T10:00:00Z:0m=100,5m=400,30m=100');
    const table: Array<[string, number]> = [
      ['2026-12-08T09:59:59Z', 100], // before the anchor: the first level
      ['2026-12-08T10:04:59Z', 100],
      ['2026-12-08T10:05:00Z', 400],
      ['2026-12-08T10:29:59Z', 400],
      ['2026-12-08T10:30:00Z', 100],
      ['2026-12-09T10:30:00Z', 100],
    ];
    for (const [time, level] of table) assert.equal(demandAt(steps, at(time)), level, time);
    const sine = parseDemand('sine:mean=200,amplitude=150,period=24h,phase=6h');
    assert.equal(Math.round(demandAt(sine, at('2026-12-08T12:00:00Z'))), 350, 'peak at noon UTC');
    assert.equal(Math.round(demandAt(sine, at('2026-12-08T00:00:00Z'))), 50, 'trough at midnight');
    assert.equal(Math.round(demandAt(sine, at('2026-12-08T06:00:00Z'))), 200);
    assert.equal(demandAt(parseDemand('sine:mean=10,amplitude=50,period=1h'), at('2026-12-08T00:45:00Z')), 0);
    const trace = parseDemand('trace@2026-12-08T10:00:00Z:1m:10,20,30');
    assert.deepEqual(
      ['09:00', '10:00', '10:01:30', '10:02', '23:00'].map((t) =>
        demandAt(trace, at(`2026-12-08T${t.length === 5 ? `${t}:00` : t}Z`)),
      ),
      [10, 10, 20, 30, 30],
    );
  });

  it('spreads demand over the InService instances, capped at 100 %', () => {
    assert.equal(utilisation(250, 5), 50);
    assert.equal(utilisation(250, 2), 100);
    assert.equal(utilisation(0, 3), 0);
    assert.equal(utilisation(100, 0), undefined);
  });

  it('refuses malformed models with a Validation error naming the problem', () => {
    const refusals: Array<[string, RegExp]> = [
      ['', /must start with constant:, steps@, sine: or trace@/],
      ['linear:5', /must start with/],
      ['constant:-1', /level must be a number from 0/],
      ['constant:1e9', /level must be a number/],
      ['constant:NaN', /level must be a number/],
      ['constant:Infinity', /level must be a number/],
      ['steps:0m=100', /must start with/],
      ['steps@yesterday:0m=1', /needs an anchor|anchor must be/],
      ['steps@2026-12-08T10:00:00+01:00:0m=1', /needs an anchor/],
      ['steps@2026-12-08T10:00:00Z:5m=1,5m=2', /offsets must increase/],
      ['steps@2026-12-08T10:00:00Z:5x=1', /duration is a number with s, m, h or d/],
      ['steps@2026-12-08T10:00:00Z:5m', /each step is OFFSET=LEVEL/],
      ['steps@2026-12-08T10:00:00Z:5m=1=2', /each step is OFFSET=LEVEL/],
      ['sine:mean=1,amplitude=1', /needs mean, amplitude and period/],
      ['sine:mean=1,amplitude=1,period=0s', /duration/],
      ['sine:mean=1,mean=2,amplitude=1,period=1h', /each once/],
      ['sine:mean=1,amplitude=1,period=1h,colour=red', /key=value/],
      ['trace@2026-12-08T10:00:00Z:1m', /trace is trace@ANCHOR:STEP/],
      ['trace@2026-12-08T10:00:00Z:0m:1,2', /duration/],
      ['trace@2026-12-08T10:00:00Z:1m:1,,2', /level must be a number/],
      ['steps@2026-12-08T10:00:00Z:9999d=1', /at most 3650d/],
    ];
    for (const [text, why] of refusals)
      assert.throws(
        () => parseDemand(text),
        (e: Error & { code?: string }) => e.code === 'Validation' && why.test(e.message),
        text,
      );
  });

  it('bounds the size of a model', () => {
    const many = Array.from({ length: 100_001 }, () => '1').join(',');
    assert.throws(() => parseDemand(`trace@2026-12-08T10:00:00Z:1s:${many}`), /at most 100000 values/);
    assert.equal(parseDemand(`trace@2026-12-08T10:00:00Z:1s:${many.slice(2)}`).kind, 'trace');
  });

  it('is checked when a group is tagged: a bad model is refused, a good one accepted', () => {
    const tags = (value: string) => [{ key: 'phantom_demand', value, propagateAtLaunch: false }];
    assert.throws(() => checkTags('web', tags('constant:lots')), /Invalid demand model 'constant:lots'/);
    assert.doesNotThrow(() => checkTags('web', tags('sine:mean=200,amplitude=100,period=24h')));
  });
});
