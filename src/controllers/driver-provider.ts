import { createHash } from 'node:crypto';
import { CloudError, type CloudDriver } from '../contracts/cloud.ts';
import type { Clock } from '../contracts/clock.ts';
import type { SiteConfig } from '../config/config.ts';
import { createDriver } from '../drivers/registry.ts';
import type { CloudCredentials } from '../services/credentials.ts';

/**
 * Hands out each site's driver for a user: one shared driver per simulated site (its state
 * file may be open only once), and for clouds that need keys one driver per user built from
 * that user's sealed credentials (rebuilt when they change).
 */
export class DriverProvider {
  private readonly drivers = new Map<string, CloudDriver>();

  constructor(
    private readonly sites: readonly SiteConfig[],
    private readonly credentials: CloudCredentials,
    private readonly deps: { clock: Clock; random: () => number; dataDir: string },
  ) {}

  /** @throws CloudError invalid (unknown site) or auth (the user has no credentials there). */
  async driverFor(owner: string, site: string): Promise<CloudDriver> {
    const config = this.sites.find((s) => s.site === site);
    if (!config) throw new CloudError('invalid', `Unknown site ${site}`);
    if (config.driver === 'sim') return this.cached(`sim\u0000${site}`, () => createDriver(config, this.deps));
    const credentials = await this.credentials.open(owner, site);
    if (!credentials) return createDriver(config, this.deps); // throws the visible auth error
    // Keyed by a digest so no secret becomes a map key; new keys give a new driver.
    const id = createHash('sha256').update(JSON.stringify([owner, site, credentials])).digest('base64');
    return this.cached(id, () => createDriver(config, { ...this.deps, credentials }));
  }

  private cached(key: string, create: () => CloudDriver): CloudDriver {
    let driver = this.drivers.get(key);
    if (!driver) {
      driver = create();
      this.drivers.set(key, driver);
    }
    return driver;
  }
}
