import type { Command } from 'commander';
import { ConfigError, type SiteConfig } from '../config/config.ts';
import { credentialKind, type SiteCredentials } from '../contracts/credentials.ts';
import { withData, type CliIo } from './io.ts';

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

/** `phantom credentials set|list|remove`. */
export function addCredentialCommands(program: Command, io: CliIo): void {
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
