import type { Command } from 'commander';
import { ConfigError } from '../config/config.ts';
import { count, withData, type CliIo } from './io.ts';

/** `phantom user add|list|limits` and `phantom key create|delete`. */
export function addUserCommands(program: Command, io: CliIo): void {
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
}
