import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePrometheusText, promtoolCheck, sampleValue } from './prom-text.ts';

const GOOD = [
  '# HELP demo_requests_total Requests.',
  '# TYPE demo_requests_total counter',
  'demo_requests_total{action="Describe",code="200"} 3',
  'demo_requests_total{action="a\\"b\\\\c\\nd",code="500"} 1e0',
  '',
  '# HELP demo_seconds Latency.',
  '# TYPE demo_seconds histogram',
  'demo_seconds_bucket{le="0.1"} 1',
  'demo_seconds_bucket{le="+Inf"} 2',
  'demo_seconds_sum 0.25',
  'demo_seconds_count 2',
  '',
].join('\n');

describe('the strict Prometheus text parser used by the metrics tests', () => {
  it('reads families, types, escaped labels and values', () => {
    const families = parsePrometheusText(GOOD);
    assert.equal(families.get('demo_requests_total')?.type, 'counter');
    assert.equal(sampleValue(families, 'demo_requests_total', { code: '200' }), 3);
    assert.equal(sampleValue(families, 'demo_requests_total', { action: 'a"b\\c\nd' }), 1);
    assert.equal(sampleValue(families, 'demo_seconds_count'), 2);
    assert.equal(sampleValue(families, 'demo_requests_total', { code: '404' }), undefined);
  });

  it('refuses what Prometheus would refuse', () => {
    const bad: Array<[string, RegExp]> = [
      [GOOD.slice(0, -1), /end with a newline/],
      [GOOD.replace('1e0', 'one'), /bad value/],
      [GOOD.replace('\\n', '\\t'), /bad escape/],
      [GOOD.replace('code="200"', 'code=200'), /must be quoted/],
      [GOOD.replace('le="0.1"} 1', 'le="0.1"} 3'), /not cumulative/],
      [GOOD.replace('demo_seconds_count 2', 'demo_seconds_count 5'), /_count differs/],
      [`${GOOD}demo_requests_total{code="201"} 1\n`, /outside its family/],
      [GOOD.replace('# TYPE demo_seconds histogram', '# TYPE demo_seconds histo'), /bad type/],
    ];
    for (const [text, error] of bad) assert.throws(() => parsePrometheusText(text), error);
  });

  it('promtool (when installed) accepts the good text and lints a gauge named like a counter', (t) => {
    const good = promtoolCheck(GOOD);
    if (!good) return t.skip('promtool not installed');
    assert.ok(good.ok, good.output);
    const linted = promtoolCheck('# HELP demo_open_total Open.\n# TYPE demo_open_total gauge\ndemo_open_total 1\n');
    assert.equal(linted?.ok, false);
    assert.match(linted?.output ?? '', /_total/);
  });
});
