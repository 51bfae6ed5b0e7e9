import assert from 'node:assert/strict';
import { seededRandom } from '../lib/random.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseSimCloudArgs, runSimCloudCommand } from './command.ts';

function capture(): { out: string[]; err: string[]; io: { out(l: string): void; err(l: string): void } } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l) => out.push(l), err: (l) => err.push(l) } };
}

describe('phantom sim-cloud arguments', () => {
  const base = ['--listen', '127.0.0.1:0', '--state', '/tmp/never-written.json'];
  const bad: Array<[string, string[], RegExp]> = [
    ['no --listen', ['--state', 'x.json'], /--listen HOST:PORT is required/],
    ['no --state', ['--listen', '127.0.0.1:1'], /--state FILE is required/],
    ['listen without port', ['--listen', 'localhost', '--state', 'x'], /--listen must be HOST:PORT/],
    ['port out of range', ['--listen', 'h:70000', '--state', 'x'], /--listen must be HOST:PORT/],
    ['unknown flag', [...base, '--bogus'], /bogus/],
    ['positional', [...base, 'extra'], /extra/],
    ['non-numeric boot time', [...base, '--boot-ms', 'soon'], /--boot-ms must be a non-negative number/],
    ['negative capacity', [...base, '--capacity', '-1'], /capacity/],
    ['fractional capacity', [...base, '--capacity', '1.5'], /sim-cloud\.capacity: must be a non-negative integer/],
    ['rate above 1', [...base, '--death-rate', '2'], /sim-cloud\.deathRate: must be between 0 and 1/],
    ['fail without =', [...base, '--fail', 'launch'], /--fail must be CALL=KIND/],
    ['fail unknown call', [...base, '--fail', 'reboot=capacity'], /unknown call/],
    ['fail unknown kind', [...base, '--fail', 'launch=boom'], /unknown error kind/],
    ['key without secret', [...base, '--key', 'AKID'], /--key must be ACCESS_KEY:SECRET_KEY/],
    ['missing flag value', [...base, '--site'], /site/],
    ['non-numeric seed', [...base, '--seed', 'abc'], /--seed must be a whole number/],
  ];
  for (const [name, argv, message] of bad) {
    it(`${name} → one-line error, exit 2`, async () => {
      const c = capture();
      assert.equal(await runSimCloudCommand(argv, c.io), 2);
      assert.equal(c.err.length, 1);
      assert.match(c.err[0] ?? '', message);
      assert.doesNotMatch(c.err[0] ?? '', /\n/);
      assert.deepEqual(c.out, []);
    });
  }

  it('maps every flag onto server options and sim knobs', () => {
    const options = parseSimCloudArgs([
      '--listen',
      '[::1]:8773',
      '--state',
      's.json',
      '--site',
      'hotel',
      '--boot-ms',
      '2500',
      '--capacity',
      '10',
      '--launch-failure-rate',
      '0.1',
      '--death-rate',
      '0',
      '--latency-ms',
      '5',
      '--lose-launch-response-rate',
      '.5',
      '--fail',
      'launch=capacity',
      '--fail',
      'terminate=throttled',
      '--key',
      'AK:S:K',
      '--image',
      'ami-1',
      '--image',
      'ami-2',
      '--instance-type',
      't3.micro',
    ]);
    assert.deepEqual(options, {
      host: '::1',
      port: 8773,
      site: 'hotel',
      region: 'us-east-1',
      stateFile: 's.json',
      knobs: {
        bootMs: 2500,
        capacity: 10,
        launchFailureRate: 0.1,
        deathRate: 0,
        apiLatencyMs: 5,
        loseLaunchResponseRate: 0.5,
        failCalls: { launch: 'capacity', terminate: 'throttled' },
      },
      keys: [{ accessKeyId: 'AK', secretAccessKey: 'S:K' }],
      images: ['ami-1', 'ami-2'],
      instanceTypes: ['t3.micro'],
    });
  });

  it('--seed makes the sim draw the same numbers as seededRandom(seed)', () => {
    const options = parseSimCloudArgs(['--listen', '127.0.0.1:0', '--state', 's.json', '--seed', '3']);
    const expected = seededRandom(3);
    assert.deepEqual([options.random!(), options.random!(), options.random!()], [expected(), expected(), expected()]);
    assert.equal(
      parseSimCloudArgs(['--listen', '127.0.0.1:0', '--state', 's.json']).random,
      undefined,
      'crypto randomness by default',
    );
  });

  it('serves until SIGINT, then stops cleanly with exit 0 and the state written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cloud-cmd-'));
    try {
      const state = join(dir, 'state.json');
      const c = capture();
      let announce: (line: string) => void = () => undefined;
      const served = new Promise<string>((resolve) => (announce = resolve));
      const io = {
        out: (l: string): void => {
          c.out.push(l);
          announce(l);
        },
        err: c.io.err,
      };
      const exit = runSimCloudCommand(['--listen', '127.0.0.1:0', '--state', state, '--site', 'kilo'], io);
      const line = await served;
      const url = /^sim-cloud kilo serving on (http:\/\/127\.0\.0\.1:[0-9]+)$/.exec(line)?.[1];
      assert.ok(url, line);
      const res = await fetch(`${url}/?Action=DescribeAvailabilityZones&Version=2016-11-15`);
      assert.match(await res.text(), /<zoneName>kilo<\/zoneName>/);
      process.emit('SIGINT');
      assert.equal(await exit, 0);
      assert.equal(JSON.parse(readFileSync(state, 'utf8')).site, 'kilo');
      assert.deepEqual(c.err, []);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
