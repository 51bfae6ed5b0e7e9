import { Command, CommanderError, InvalidArgumentError } from 'commander';
import packageJson from '../../package.json' with { type: 'json' };
import { systemClock } from '../contracts/clock.ts';
import { isPhantomError } from '../contracts/errors.ts';
import { ConfigError, loadConfig } from '../config/config.ts';
import { openDataDir, type DataDir } from '../data-dir.ts';
import { startServer } from '../main.ts';
import { credentialKind, type SiteCredentials } from '../contracts/credentials.ts';
import type { SiteConfig } from '../config/config.ts';
import { runSimCloudCommand, SIM_CLOUD_USAGE } from '../sim-cloud/command.ts';
import { addSite, listSites, parseSettings, removeSite } from '../services/sites.ts';

/** Where CLI output goes (injectable for tests). */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

const consoleIo: CliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

const count = (value: string): number => {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError('must be a non-negative integer');
  return Number(value);
};

/**
 * Runs `fn` against the data dir of the configured (possibly running) server, saying on
 * stderr which one. Only commands that may start a fresh installation (`user add`) create a
 * missing data dir; the others fail naming it.
 */
async function withData<T>(io: CliIo, fn: (data: DataDir) => Promise<T>, create = false): Promise<T> {
  const config = loadConfig();
  io.err(`phantom: data dir ${config.dataDir}`);
  const data = await openDataDir(config, systemClock, undefined, { create });
  try {
    return await fn(data);
  } finally {
    await data.close();
  }
}

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

  const user = program.command('user').description('manage users');
  user
    .command('add <name>')
    .description('create a user with one access key pair and print it (creates the data dir when missing)')
    .option('--json', 'print {"user","accessKeyId","secretAccessKey"}')
    .action((name: string, o: { json?: boolean }) =>
      withData(
        io,
        async ({ accounts }) => {
          const created = await accounts.createUser(name);
          const key = await accounts.createKey(created);
          if (o.json)
            io.out(
              JSON.stringify({
                user: created.name,
                accessKeyId: key.accessKeyId,
                secretAccessKey: key.secretAccessKey,
              }),
            );
          else
            io.out(
              `user ${created.name}\naccess key id      ${key.accessKeyId}\nsecret access key  ${key.secretAccessKey}`,
            );
        },
        true,
      ),
    );
  user
    .command('list')
    .description('list users and their access key ids')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) =>
      withData(io, async ({ store }) => {
        const users = await store.listUsers();
        const rows = await Promise.all(
          users.map(async (u) => ({
            user: u.name,
            id: u.id,
            admin: u.isAdmin,
            accessKeyIds: (await store.listAccessKeys(u.id)).map((k) => k.accessKeyId),
            limits: u.limits,
          })),
        );
        if (o.json) io.out(JSON.stringify(rows));
        else
          for (const r of rows)
            io.out(`${r.user}\t${r.id}\t${r.admin ? 'admin' : 'user'}\t${r.accessKeyIds.join(',') || '-'}`);
      }),
    );
  user
    .command('limits <name>')
    .description("override a user's limits (DescribeAccountLimits reports them)")
    .option('--max-groups <n>', 'auto scaling groups', count)
    .option('--max-launch-configurations <n>', 'launch configurations', count)
    .option('--max-instances <n>', 'instances: the sum of the desired capacities of all their groups', count)
    .action((name: string, o: { maxGroups?: number; maxLaunchConfigurations?: number; maxInstances?: number }) =>
      withData(io, async ({ accounts }) => {
        const chosen = {
          maxGroups: o.maxGroups,
          maxLaunchConfigurations: o.maxLaunchConfigurations,
          maxInstances: o.maxInstances,
        };
        const limits = Object.fromEntries(Object.entries(chosen).filter(([, v]) => v !== undefined));
        const updated = await accounts.setLimits(name, limits);
        io.out(JSON.stringify({ user: updated.name, limits: updated.limits }));
      }),
    );

  const key = program.command('key').description('manage access keys');
  key
    .command('create <user>')
    .description('issue another access key pair for a user')
    .option('--json', 'print {"user","accessKeyId","secretAccessKey"}')
    .action((name: string, o: { json?: boolean }) =>
      withData(io, async ({ accounts }) => {
        const issued = await accounts.createKey(await accounts.requireUser(name));
        if (o.json) io.out(JSON.stringify({ user: name, ...issued }));
        else io.out(`access key id      ${issued.accessKeyId}\nsecret access key  ${issued.secretAccessKey}`);
      }),
    );
  key
    .command('delete <accessKeyId>')
    .description('delete an access key (requests signed with it fail from then on)')
    .action((id: string) =>
      withData(io, async ({ store }) => {
        if (!(await store.deleteAccessKey(id))) throw new ConfigError(`No access key ${id}.`);
        io.out(`deleted ${id}`);
      }),
    );
  addCredentialCommands(program, io);
  addSiteCommands(program, io);
  return program;
}

/** Reads all of standard input (for `--secret-key -`, which keeps the secret out of argv). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').trim();
}

/** The flags of `phantom credentials set`. */
interface CredentialOptions {
  user: string;
  accessKey?: string;
  secretKey?: string;
  username?: string;
  password?: string;
  userDomain?: string;
  applicationCredentialId?: string;
  applicationCredentialSecret?: string;
  keyName?: string;
}

/**
 * The credentials the flags describe: exactly one kind, complete (a secret of `-` is read
 * from standard input).
 * @throws ConfigError when kinds are mixed, none is given, or a pair is incomplete.
 */
async function credentialsFrom(o: CredentialOptions): Promise<SiteCredentials> {
  const kinds = [
    { name: '--access-key/--secret-key', flags: [o.accessKey, o.secretKey] },
    { name: '--username/--password [--user-domain]', flags: [o.username, o.password, o.userDomain] },
    {
      name: '--application-credential-id/--application-credential-secret',
      flags: [o.applicationCredentialId, o.applicationCredentialSecret],
    },
  ].filter((k) => k.flags.some((f) => f !== undefined));
  const choices =
    'give --access-key and --secret-key (ec2), --username and --password (openstack), or --application-credential-id and --application-credential-secret (openstack)';
  if (kinds.length !== 1)
    throw new ConfigError(
      kinds.length === 0
        ? `No credentials given: ${choices}.`
        : `Mixed credential kinds (${kinds.map((k) => k.name).join(' and ')}): ${choices}.`,
    );
  const secret = async (value: string | undefined): Promise<string | undefined> =>
    value === '-' ? readStdin() : value;
  const keyName = o.keyName !== undefined ? { keyName: o.keyName } : {};
  if (o.accessKey !== undefined || o.secretKey !== undefined) {
    if (o.accessKey === undefined || o.secretKey === undefined)
      throw new ConfigError('--access-key and --secret-key go together.');
    return { accessKey: o.accessKey, secretKey: (await secret(o.secretKey)) ?? '', ...keyName };
  }
  if (o.username !== undefined || o.password !== undefined || o.userDomain !== undefined) {
    if (o.username === undefined || o.password === undefined)
      throw new ConfigError('--username and --password go together (--user-domain is optional).');
    return {
      kind: 'openstack-password',
      username: o.username,
      password: (await secret(o.password)) ?? '',
      ...(o.userDomain !== undefined ? { userDomain: o.userDomain } : {}),
      ...keyName,
    };
  }
  if (o.applicationCredentialId === undefined || o.applicationCredentialSecret === undefined)
    throw new ConfigError('--application-credential-id and --application-credential-secret go together.');
  return {
    kind: 'openstack-application-credential',
    applicationCredentialId: o.applicationCredentialId,
    applicationCredentialSecret: (await secret(o.applicationCredentialSecret)) ?? '',
    ...keyName,
  };
}

/** The credential kinds each driver takes (a sim site takes any: it checks none). */
const KINDS_BY_DRIVER: Readonly<Record<string, { kinds: readonly string[]; flags: string }>> = {
  ec2: { kinds: ['access-key'], flags: '--access-key and --secret-key' },
  openstack: {
    kinds: ['openstack-password', 'openstack-application-credential'],
    flags: '--username and --password, or --application-credential-id and --application-credential-secret',
  },
};

/**
 * Refuses credentials the site's driver cannot use (e.g. EC2 keys for an OpenStack site). An
 * unknown site is left to the credentials service, which names it.
 * @throws ConfigError naming the site, its driver and the flags it takes.
 */
function checkKindForDriver(site: string, sites: readonly SiteConfig[], given: SiteCredentials): void {
  const driver = sites.find((s) => s.site === site)?.driver;
  const wanted = driver === undefined ? undefined : KINDS_BY_DRIVER[driver];
  if (wanted === undefined || wanted.kinds.includes(credentialKind(given))) return;
  throw new ConfigError(
    `Site ${site} uses the ${driver} driver, which does not take ${credentialKind(given)} credentials: give ${wanted.flags}.`,
  );
}

function addCredentialCommands(program: Command, io: CliIo): void {
  const credentials = program
    .command('credentials')
    .description("manage users' cloud credentials per site (sealed at rest)");
  credentials
    .command('set <site>')
    .description(
      "set (or replace) a user's credentials for a site: access keys (ec2), or an OpenStack password or application credential",
    )
    .requiredOption('--user <name>', 'the Phantom user')
    .option('--access-key <key>', 'ec2: the cloud access key')
    .option('--secret-key <secret>', 'ec2: the cloud secret key, or - to read it from standard input')
    .option('--username <name>', 'openstack: the Keystone user name')
    .option('--password <password>', 'openstack: the password, or - to read it from standard input')
    .option('--user-domain <domain>', "openstack: the user's domain (default: the site's userDomain, else Default)")
    .option('--application-credential-id <id>', 'openstack: application credential id')
    .option(
      '--application-credential-secret <secret>',
      'openstack: application credential secret, or - to read it from standard input',
    )
    .option('--key-name <name>', 'key pair to launch with on that site')
    .action((site: string, o: CredentialOptions) =>
      withData(io, async ({ accounts, credentials: store, sites }) => {
        const given = await credentialsFrom(o);
        checkKindForDriver(site, sites.all(), given);
        await store.set(await accounts.requireUser(o.user), site, given);
        io.out(`credentials for ${o.user} on ${site} set`);
      }),
    );
  credentials
    .command('list')
    .description("list a user's credentials (secrets are never shown)")
    .requiredOption('--user <name>', 'the Phantom user')
    .option('--json', 'print JSON')
    .action((o: { user: string; json?: boolean }) =>
      withData(io, async ({ accounts, credentials: store }) => {
        const rows = await store.list(await accounts.requireUser(o.user));
        if (o.json) io.out(JSON.stringify(rows));
        else
          for (const r of rows)
            io.out(`${r.site}\t${r.identity}\t${r.keyName ?? '-'}\t${r.updatedTime.toISOString()}\t${r.kind}`);
      }),
    );
  credentials
    .command('remove <site>')
    .description("remove a user's credentials for a site")
    .requiredOption('--user <name>', 'the Phantom user')
    .action((site: string, o: { user: string }) =>
      withData(io, async ({ accounts, credentials: store }) => {
        if (!(await store.remove(await accounts.requireUser(o.user), site)))
          throw new ConfigError(`${o.user} has no credentials for ${site}.`);
        io.out(`credentials for ${o.user} on ${site} removed`);
      }),
    );
}

/** `phantom site add|list|remove`: sites beside those of PHANTOM_CONFIG, picked up by a running server within a second. */
function addSiteCommands(program: Command, io: CliIo): void {
  const site = program
    .command('site')
    .description(
      'manage sites added beside those of PHANTOM_CONFIG (a running server picks changes up within a second)',
    );
  const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
  site
    .command('add <name>')
    .description(
      "add a site, or replace one added before; settings are the config file's keys, e.g. --set region=us-east-1",
    )
    .requiredOption('--driver <driver>', 'sim, ec2 or openstack')
    .option(
      '--set <key=value>',
      'a setting as in the config file (value in YAML: 0, true, [a, b]); repeatable',
      collect,
    )
    .action((name: string, o: { driver: string; set?: string[] }) =>
      withData(io, async ({ store, sites }) => {
        const { replaced } = await addSite(
          { store, clock: systemClock, catalog: sites },
          name,
          o.driver,
          parseSettings(o.set ?? []),
        );
        io.out(`site ${name} ${replaced ? 'updated' : 'added'}`);
      }),
    );
  site
    .command('list')
    .description('list the known sites: name, driver, source (config, default or cli) and settings')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) =>
      withData(io, async ({ sites }) => {
        const rows = await listSites({ catalog: sites });
        if (o.json) io.out(JSON.stringify(rows));
        else
          for (const r of rows)
            io.out(
              `${r.name}\t${r.driver}\t${r.source}\t${
                Object.entries(r.settings)
                  .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
                  .join(' ') || '-'
              }`,
            );
      }),
    );
  site
    .command('remove <name>')
    .description('remove a site added with site add (refused while a group uses it)')
    .option('--force', 'remove it even while groups use it (they cannot launch there until it is added again)')
    .action((name: string, o: { force?: boolean }) =>
      withData(io, async ({ store, sites }) => {
        const { usedBy } = await removeSite({ store, clock: systemClock, catalog: sites }, name, o.force ?? false);
        io.out(`site ${name} removed${usedBy.length > 0 ? ` (still named by ${usedBy.join(', ')})` : ''}`);
      }),
    );
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
