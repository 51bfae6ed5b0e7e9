import { Command, CommanderError } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { isPhantomError } from '../contracts/errors.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { startServer } from '../main.ts';
import { runSimCloudCommand, SIM_CLOUD_USAGE } from '../sim-cloud/command.ts';
import { addCredentialCommands } from './credentials.ts';
import { consoleIo, type CliIo } from './io.ts';
import { addSiteCommands } from './sites.ts';
import { addUserCommands } from './users.ts';

export type { CliIo } from './io.ts';

/** A server that has not closed this long after SIGINT/SIGTERM exits anyway (within 5 s of the signal). */
const SHUTDOWN_DEADLINE_MS = 4000;

/**
 * Serves until SIGINT/SIGTERM, then closes cleanly: the listener, the controller (its cloud
 * calls aborted), the store. When that hangs past SHUTDOWN_DEADLINE_MS, or on a second signal,
 * the process exits at once with a line on stderr.
 */
async function serve(io: CliIo): Promise<void> {
  const running = await startServer(loadConfig(), { print: io.out });
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  const exitNow = (why: string) => {
    io.err(`phantom: ${why}; exiting without finishing shutdown`);
    process.exit(1);
  };
  setTimeout(() => exitNow(`shutdown took longer than ${SHUTDOWN_DEADLINE_MS} ms`), SHUTDOWN_DEADLINE_MS).unref();
  process.once(signal === 'SIGINT' ? 'SIGTERM' : 'SIGINT', () => exitNow('second signal'));
  process.once(signal, () => exitNow('second signal'));
  await running.close();
}

function buildProgram(io: CliIo): Command {
  const program = new Command('phantom')
    .description(
      `Multi-cloud auto-scaling with the AWS Auto Scaling API. State lives in PHANTOM_DATA_DIR (default .phantom in the current directory; now ${dataDirForHelp()}).`,
    )
    .version(packageJson.version, '-V, --version', 'print the version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('server')
    .description('serve the Query API (PHANTOM_LISTEN, default 127.0.0.1:8445)')
    .action(() => serve(io));
  program
    .command('sim-cloud')
    .description(
      'serve the simulated cloud over the EC2 Query API (default) or OpenStack Keystone + Nova (--api openstack); phantom sim-cloud --help for its options',
    );

  addUserCommands(program, io);
  addCredentialCommands(program, io);
  addSiteCommands(program, io);
  return program;
}

/** The data dir the configuration names, for `--help` (a broken configuration is not an error there). */
function dataDirForHelp(): string {
  try {
    return loadConfig().dataDir;
  } catch (error) {
    return `unknown: ${(error as Error).message}`;
  }
}

const SIM_CLOUD_HELP = `${SIM_CLOUD_USAGE}

Serves one simulated cloud site as a standalone endpoint, for Phantom's ec2 or openstack
drivers (or any EC2 client). Instances get loopback addresses (127.0.0.0/8).

  --api ec2|openstack       EC2 Query API (default) or Keystone v3 + Nova + Glance
  --listen HOST:PORT        where to serve (port 0: any free port)
  --state FILE              JSON state file: instances outlive a restart
  --site NAME               the site's name (default sim; instance addresses depend on it)
  --region NAME             the region reported (ec2: availability zone; openstack: catalog region)
  --boot-ms N               time an instance stays pending
  --capacity N              instances the site holds; beyond, capacity errors
  --launch-failure-rate X   probability an instance fails at boot (0..1)
  --death-rate X            probability a running instance dies per observation
  --latency-ms N            added to every call
  --lose-launch-response-rate X  launches that succeed but answer an error
  --fail CALL=KIND          a call (listInstances, launch, terminate) that always fails
  --seed N                  seed of the random source (repeatable runs)
  --key AK:SK               ec2: an accepted key pair (default: any)
  --user NAME:PASSWORD, --application-credential ID:SECRET, --project NAME, --token-ttl-ms N
                            openstack: accepted logins (default: any) and tokens
  --image ID, --instance-type T   the images and types (flavors) offered`;

/**
 * Runs the `phantom` command line and returns the exit code (0 ok, 1 failure, 2 usage).
 * Errors are printed as one line; nothing secret is printed except a newly issued key.
 */
export async function runCli(argv: string[], io: CliIo = consoleIo): Promise<number> {
  // `phantom sim-cloud` parses its own flags (knobs such as --boot-ms, repeatable --key).
  if (argv[0] === 'sim-cloud') {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.out(SIM_CLOUD_HELP);
      return 0;
    }
    return runSimCloudCommand(argv.slice(1), io);
  }
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof ConfigError || isPhantomError(error)) {
      io.err(`phantom: ${error.message}`);
      return 1;
    }
    io.err(`phantom: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
