import { createHash } from 'node:crypto';
import { CloudError, type CloudDriver } from '../contracts/cloud.ts';
import type { Clock } from '../contracts/clock.ts';
import type { SiteConfig } from '../config/config.ts';
import { createDriver, openDriver } from '../drivers/registry.ts';
import type { CloudCredentials } from '../services/credentials.ts';

/** A digest of a value (so neither settings nor secrets become map keys). Pure. */
const digest = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('base64');

/**
 * Hands out each site's driver for a user: one shared driver per simulated site (its state
 * file may be open only once, so a sim site keeps its first driver for the life of the
 * process), and for clouds that need keys one driver per user built from that user's sealed
 * credentials and the site's current settings (rebuilt when either changes).
 */
export class DriverProvider {
  /** One driver per (driver, site, owner), with the digest of what it was built from (a sim's while it opens). */
  private readonly drivers = new Map<string, { version: string; driver: Promise<CloudDriver> }>();

  /**
   * @param sites Required. The known sites, read on every call (sites may be added, changed or
   *   removed while the server runs: `SiteCatalog.all`).
   */
  constructor(
    private readonly sites: () => readonly SiteConfig[],
    private readonly credentials: CloudCredentials,
    private readonly deps: { clock: Clock; random: () => number; dataDir: string },
  ) {}

  /** @throws CloudError invalid (unknown site) or auth (the user has no credentials there). */
  async driverFor(owner: string, site: string): Promise<CloudDriver> {
    const config = this.sites().find((s) => s.site === site);
    if (!config) throw new CloudError('invalid', `Unknown site ${site}`);
    // A sim site's state file is read in pieces, once: callers meanwhile share the opening.
    if (config.driver === 'sim') return this.cached(`sim\u0000${site}`, '', () => openDriver(config, this.deps));
    const credentials = await this.credentials.open(owner, site);
    if (!credentials) return createDriver(config, this.deps); // throws the visible auth error
    // New keys or new site settings give a new driver, which replaces the old one.
    return this.cached(`${config.driver}\u0000${site}\u0000${owner}`, digest([config, credentials]), async () =>
      createDriver(config, { ...this.deps, credentials }),
    );
  }

  /**
   * The driver held for `key` if built from `version`, else a new one that replaces it. A
   * failed creation is forgotten (the next call tries again, e.g. after a corrupt sim state
   * file was mended).
   */
  private cached(key: string, version: string, create: () => Promise<CloudDriver>): Promise<CloudDriver> {
    const held = this.drivers.get(key);
    if (held?.version === version) return held.driver;
    const entry = { version, driver: create() };
    this.drivers.set(key, entry);
    entry.driver.catch(() => {
      if (this.drivers.get(key) === entry) this.drivers.delete(key);
    });
    return entry.driver;
  }
}
