/**
 * A real Prometheus for tests (Debian's /usr/bin/prometheus, or PHANTOM_TEST_PROMETHEUS_BIN),
 * on 127.0.0.1 only, scraping every second a tiny exposition endpoint the test serves, with its
 * TSDB in a scratch directory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { eventually } from './eventually.ts';
import { freePort, scratchDir, type Availability } from './process.ts';

/** The binary the tests run. */
export const PROMETHEUS = process.env.PHANTOM_TEST_PROMETHEUS_BIN ?? '/usr/bin/prometheus';
/** Whether it is installed (for requireClient). */
export const prometheusAvailable: Availability = existsSync(PROMETHEUS)
  ? true
  : `${PROMETHEUS} does not exist (apt-get install prometheus)`;

/** A running Prometheus and the endpoint it scrapes. */
export interface TestPrometheus {
  /** e.g. http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** What Prometheus printed (for failure messages). */
  output(): string;
  close(): Promise<void>;
}

/**
 * Starts the exposition endpoint (answering `exposition()` at each scrape) and Prometheus, and
 * waits until `ready` (a PromQL query) returns `series` series.
 */
export async function startTestPrometheus(
  exposition: () => string,
  ready: { query: string; series: number },
): Promise<TestPrometheus> {
  const scratch = scratchDir('phantom-prometheus-');
  const endpoint: Server = createServer((_req, res) =>
    res.writeHead(200, { 'content-type': 'text/plain' }).end(exposition()),
  );
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const target = `127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
  const port = await freePort();
  let output = '';
  const child = spawnPrometheus(scratch.dir, target, port, (chunk) => (output += chunk));
  const close = async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    await new Promise((resolve) => endpoint.close(resolve));
    scratch.remove();
  };
  const url = `http://127.0.0.1:${port}`;
  await eventually(
    'Prometheus serving the scraped series',
    () => seriesCount(url, ready.query).then((n) => (n === ready.series ? n : undefined)),
    30_000,
  ).catch(async (error: Error) => {
    await close();
    throw new Error(`${error.message}\nPrometheus said:\n${output.slice(-2000)}`);
  });
  return { url, port, output: () => output, close };
}

async function seriesCount(url: string, query: string): Promise<number> {
  const response = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`).catch(() => undefined);
  if (!response) return -1;
  const body = (await response.json()) as { data?: { result?: unknown[] } };
  return body.data?.result?.length ?? 0;
}

function spawnPrometheus(dir: string, target: string, port: number, onOutput: (chunk: string) => void): ChildProcess {
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'scrape_configs:',
      `  - { job_name: phantom-test, static_configs: [ { targets: ["${target}"] } ] }`,
      '',
    ].join('\n'),
  );
  const child = spawn(
    PROMETHEUS,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (chunk: Buffer) => onOutput(chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => onOutput(chunk.toString('utf8')));
  return child;
}
