/**
 * The `phantom server` binary's own listeners: the metrics listener serves valid Prometheus text
 * (promtool, when installed) beside the API, and with PHANTOM_METRICS_LISTEN=off the process
 * listens on its API port and nothing else. Probes and the start/stop lines on stdout.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canListSockets, listeningPorts } from '../support/listening.ts';
import { freePort, startPhantom } from '../support/process.ts';
import { parsePrometheusText, promtoolCheck, sampleValue } from '../support/prom-text.ts';

describe('phantom server: metrics listener and probes', () => {
  it('serves /metrics on PHANTOM_METRICS_LISTEN, and /healthz and /readyz on the API port', async () => {
    const metricsPort = await freePort();
    const server = await startPhantom({
      env: { PHANTOM_METRICS_LISTEN: `127.0.0.1:${metricsPort}`, PHANTOM_LOG_LEVEL: 'info' },
    });
    try {
      assert.equal(await (await fetch(`${server.url}/healthz`)).text(), 'ok');
      assert.equal(await (await fetch(`${server.url}/readyz`)).text(), 'ready');
      if (canListSockets)
        assert.deepEqual(
          listeningPorts(server.pid),
          [server.port, metricsPort].sort((a, b) => a - b),
        );
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const families = parsePrometheusText(text);
      assert.equal(sampleValue(families, 'phantom_groups'), 0);
      assert.equal(sampleValue(families, 'phantom_build_info', { node_version: process.versions.node }), 1);
      const check = promtoolCheck(text);
      if (check) assert.ok(check.ok, check.output);
      assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/other`)).status, 404);
    } finally {
      await server.stop();
    }
    const lines = server
      .output()
      .stdout.split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { msg: string; metricsUrl?: string });
    assert.equal(lines.find((l) => l.msg === 'phantom serving')?.metricsUrl, `http://127.0.0.1:${metricsPort}/metrics`);
    assert.ok(
      lines.some((l) => l.msg === 'phantom stopped'),
      'a clean stop is logged',
    );
  });

  it('listens on the API port only when PHANTOM_METRICS_LISTEN=off', async (t) => {
    if (!canListSockets) return t.skip('no /proc to list sockets');
    const server = await startPhantom({ env: { PHANTOM_METRICS_LISTEN: 'off' } });
    try {
      assert.deepEqual(listeningPorts(server.pid), [server.port]);
    } finally {
      await server.stop();
    }
  });
});
