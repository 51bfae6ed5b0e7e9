import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FixedClock } from '../contracts/clock.ts';
import { isPhantomError } from '../contracts/errors.ts';
import type { Store } from '../contracts/store.ts';
import { DEFAULT_SITES, type SiteConfig } from '../config/config.ts';
import { group, instance, launchConfiguration, user } from '../store/cases/fixtures.ts';
import { openSqliteStore } from '../store/sqlite/sqlite-store.ts';
import { SiteCatalog } from './site-catalog.ts';
import { addSite, groupsUsingSite, listSites, parseSetting, parseSettings, removeSite } from './sites.ts';

/** Asserts a PhantomError of `code` whose message matches `pattern`. */
const rejects = (action: Promise<unknown>, code: string, pattern: RegExp) =>
  assert.rejects(action, (e: unknown) => isPhantomError(e) && e.code === code && pattern.test(e.message));

describe('parseSetting (--set KEY=VALUE)', () => {
  it('reads the value as YAML: strings, numbers, booleans, flow lists', () => {
    assert.deepEqual(parseSetting('region=us-east-1'), ['region', 'us-east-1']);
    assert.deepEqual(parseSetting('endpoint=http://127.0.0.1:8773'), ['endpoint', 'http://127.0.0.1:8773']);
    assert.deepEqual(parseSetting('bootMs=0'), ['bootMs', 0]);
    assert.deepEqual(parseSetting('launchFailureRate=0.25'), ['launchFailureRate', 0.25]);
    assert.deepEqual(parseSetting('flag=true'), ['flag', true]);
    assert.deepEqual(parseSetting('networks=[a, b]'), ['networks', ['a', 'b']]);
    assert.deepEqual(parseSetting("keyName='007'"), ['keyName', '007']);
    assert.deepEqual(parseSetting('keyName=a=b'), ['keyName', 'a=b'], 'only the first = splits');
    assert.deepEqual(
      parseSetting('keyName='),
      ['keyName', ''],
      'an empty value is an empty string (the driver refuses it)',
    );
  });

  it('refuses a missing =, a bad key, driver/site and unparsable YAML', () => {
    assert.throws(() => parseSetting('region'), /expected KEY=VALUE/);
    assert.throws(() => parseSetting('=x'), /expected KEY=VALUE/);
    assert.throws(() => parseSetting('re gion=x'), /expected KEY=VALUE/);
    assert.throws(() => parseSetting('driver=ec2'), /--driver/);
    assert.throws(() => parseSetting('site=x'), /site name as the argument/);
    assert.throws(() => parseSetting('networks=[a, b'), /--set networks: "\[a, b" is not a YAML value/);
  });

  it('parseSettings collects every --set and refuses a key given twice', () => {
    assert.deepEqual(parseSettings([]), {});
    assert.deepEqual(parseSettings(['region=r', 'bootMs=5']), { region: 'r', bootMs: 5 });
    assert.throws(() => parseSettings(['region=a', 'region=b']), /region is given more than once/);
  });
});

describe('site add/list/remove', () => {
  const setup = async (configured: SiteConfig[] = DEFAULT_SITES, sitesFile?: string) => {
    const store = await openSqliteStore({ file: ':memory:' });
    const catalog = SiteCatalog.forConfig({ sites: configured, ...(sitesFile ? { sitesFile } : {}) }, store);
    return { store, deps: { store, clock: new FixedClock(), catalog } };
  };
  const india = { region: 'us-east-1', endpoint: 'http://127.0.0.1:8773' };

  it('adds, lists with sources, replaces (saying so) and removes a site', async () => {
    const { store, deps } = await setup();
    assert.deepEqual(await addSite(deps, 'india', 'ec2', india), {
      config: { driver: 'ec2', site: 'india', ...india },
      replaced: false,
    });
    assert.deepEqual(await store.getSite('india').then((s) => s && [s.driver, s.settings]), ['ec2', india]);
    assert.equal((await addSite(deps, 'india', 'ec2', { region: 'eu-west-1' })).replaced, true);
    await addSite(deps, 'juliet', 'sim', { bootMs: 0, capacity: 2 });
    assert.deepEqual(await listSites(deps), [
      { name: 'hotel', driver: 'sim', source: 'default', settings: {} },
      { name: 'sierra', driver: 'sim', source: 'default', settings: {} },
      { name: 'india', driver: 'ec2', source: 'cli', settings: { region: 'eu-west-1' } },
      { name: 'juliet', driver: 'sim', source: 'cli', settings: { bootMs: 0, capacity: 2 } },
    ]);
    assert.deepEqual(deps.catalog.names(), ['hotel', 'sierra', 'india', 'juliet']);
    assert.deepEqual(await removeSite(deps, 'india', false), { usedBy: [] });
    await rejects(removeSite(deps, 'india', false), 'NotFound', /No site india was added/);
    assert.deepEqual(
      (await listSites(deps)).map((s) => s.name),
      ['hotel', 'sierra', 'juliet'],
    );
    await store.close();
  });

  it('validates settings like the config file and stores nothing on bad input', async () => {
    const { store, deps } = await setup();
    await rejects(
      addSite(deps, 'x', 'vmware', {}),
      'Validation',
      /^Site x: unknown driver "vmware"; expected one of: sim, ec2, openstack$/,
    );
    await rejects(addSite(deps, 'x', 'ec2', {}), 'Validation', /^Site x: --set region is required/);
    await rejects(
      addSite(deps, 'x', 'ec2', { region: 'r', colour: 'blue' }),
      'Validation',
      /--set colour is not an ec2 site setting/,
    );
    await rejects(addSite(deps, 'x', 'sim', { bootMs: -1 }), 'Validation', /--set bootMs must be/);
    await rejects(addSite(deps, 'bad/name', 'sim', {}), 'Validation', /the site name must be 1-64/);
    assert.deepEqual(await store.listSites(), []);
    await store.close();
  });

  it('refuses to add or remove a site of the config file, naming PHANTOM_CONFIG, or a default site', async () => {
    const configured = await setup([{ driver: 'ec2', site: 'hotel', region: 'r' }], '/etc/phantom/sites.yaml');
    await rejects(
      addSite(configured.deps, 'hotel', 'sim', {}),
      'Validation',
      /Site hotel is defined in PHANTOM_CONFIG \(\/etc\/phantom\/sites\.yaml\)/,
    );
    await rejects(
      removeSite(configured.deps, 'hotel', true),
      'Validation',
      /PHANTOM_CONFIG \(\/etc\/phantom\/sites\.yaml\).*cannot be removed/,
    );
    assert.deepEqual(
      (await listSites(configured.deps)).map((s) => s.source),
      ['config'],
    );
    await configured.store.close();
    const defaults = await setup();
    await rejects(
      addSite(defaults.deps, 'sierra', 'sim', {}),
      'Validation',
      /Site sierra is a default site \(there is no PHANTOM_CONFIG\)/,
    );
    await rejects(removeSite(defaults.deps, 'hotel', true), 'Validation', /default site/);
    assert.deepEqual(await defaults.store.listSites(), []);
    await defaults.store.close();
  });

  it('refuses removing a site groups use (instances, clouds tag, AvailabilityZones, launch configurations) unless forced', async () => {
    const { store, deps } = await setup();
    await addSite(deps, 'india', 'sim', {});
    await addSite(deps, 'juliet', 'sim', {});
    const seed = async (s: Store) => {
      await s.createUser(user('u1', { name: 'ann' }));
      await s.createUser(user('u2', { name: 'bob' }));
      await s.createLaunchConfiguration(launchConfiguration('u1', 'web@india'));
      await s.createLaunchConfiguration(launchConfiguration('u1', 'web@hotel'));
      await s.createLaunchConfiguration(launchConfiguration('u2', 'any'));
      await s.createGroup(
        group('u1', 'domain', {
          launchConfigurationName: 'web@hotel',
          tags: [
            { key: 'PHANTOM_DEFINITION', value: 'error_overflow_n_preserving', propagateAtLaunch: false },
            { key: 'clouds', value: 'hotel:1,india:2', propagateAtLaunch: false },
          ],
        }),
      );
      await s.createGroup(group('u1', 'zoned', { launchConfigurationName: 'web@hotel', availabilityZones: ['india'] }));
      await s.createGroup(
        group('u1', 'elsewhere', { launchConfigurationName: 'web@hotel', availabilityZones: ['hotel'] }),
      );
      await s.createGroup(
        group('u2', 'agnostic', { launchConfigurationName: 'any', availabilityZones: ['us-east-1a'] }),
      );
      await s.createGroup(
        group('u2', 'leftover', { launchConfigurationName: 'any', availabilityZones: ['hotel'], deleting: true }),
      );
      await s.putInstance(instance('u2', 'leftover', 'i-1', { site: 'juliet' }));
    };
    await seed(store);
    assert.deepEqual(await groupsUsingSite(store, deps.catalog.names(), 'india'), [
      'ann/domain',
      'ann/zoned',
      'bob/agnostic',
    ]);
    assert.deepEqual(await groupsUsingSite(store, deps.catalog.names(), 'juliet'), ['bob/agnostic', 'bob/leftover']);
    await rejects(
      removeSite(deps, 'india', false),
      'ResourceInUse',
      /^Site india is in use by groups ann\/domain, ann\/zoned, bob\/agnostic; .*--force/,
    );
    assert.ok(await store.getSite('india'), 'nothing removed');
    assert.deepEqual(await removeSite(deps, 'india', true), { usedBy: ['ann/domain', 'ann/zoned', 'bob/agnostic'] });
    assert.equal(await store.getSite('india'), undefined);
    await store.close();
  });
});
