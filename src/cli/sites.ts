import type { Command } from 'commander';
import { systemClock } from '../contracts/clock.ts';
import { addSite, listSites, parseSettings, removeSite } from '../services/sites.ts';
import { withData, type CliIo } from './io.ts';

/** `phantom site add|list|remove`: sites beside those of PHANTOM_CONFIG, picked up by a running server within a second. */
export function addSiteCommands(program: Command, io: CliIo): void {
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
