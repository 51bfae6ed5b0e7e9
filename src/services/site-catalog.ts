import type { SiteRecord } from '../contracts/records.ts';
import type { Store } from '../contracts/store.ts';
import type { PhantomConfig, SiteConfig } from '../config/config.ts';
import { DriverConfigError } from '../drivers/driver-config-error.ts';
import { parseDriverConfig } from '../drivers/registry.ts';

/** Where a site is defined: the PHANTOM_CONFIG file, the embedded defaults (no file), or `phantom site add`. */
export type SiteSource = 'config' | 'default' | 'cli';

/** One known site and where it comes from. */
export interface CatalogEntry {
  config: SiteConfig;
  source: SiteSource;
}

/** What the catalog needs from the store. */
export type SiteStore = Pick<Store, 'changeStamp' | 'listSites'>;

/** Options of a SiteCatalog. */
export interface SiteCatalogOptions {
  /** Required. The sites of the config file, or the embedded defaults. */
  configured: readonly SiteConfig[];
  /** Required. Whether `configured` came from a config file or is the defaults. */
  source: 'config' | 'default';
  /** Optional. The config file, named in messages. */
  file?: string;
  /** Required. Where CLI-added sites are stored. */
  store: SiteStore;
  /** Optional. Told once about a stored site that no longer validates (it is left out, nothing throws). */
  onInvalid?: (name: string, message: string) => void;
}

/**
 * Turns a stored site back into a driver config, by the same rules as the config file.
 * @throws DriverConfigError naming the field.
 */
export function siteConfigOf(record: Pick<SiteRecord, 'name' | 'driver' | 'settings'>): SiteConfig {
  return parseDriverConfig({ ...record.settings, driver: record.driver, site: record.name }, `site ${record.name}`);
}

interface CatalogView {
  entries: readonly CatalogEntry[];
  configs: readonly SiteConfig[];
  names: readonly string[];
}

/** The configured sites followed by the stored ones, as entries, configs and names (kept ready: names() is read per request). Pure. */
function catalogView(
  opts: Pick<SiteCatalogOptions, 'configured' | 'source'>,
  stored: readonly CatalogEntry[],
): CatalogView {
  const entries = [...opts.configured.map((config) => ({ config, source: opts.source })), ...stored];
  const configs = entries.map((e) => e.config);
  return { entries, configs, names: configs.map((c) => c.site) };
}

/**
 * The known sites: the config file's (or the embedded defaults) followed by the CLI-added ones
 * from the store, by name. Reads are synchronous and cheap (per request); `refresh()` re-reads
 * the store only when its change stamp moved, which covers other processes' writes (the CLI).
 * A stored site whose name the config file also defines is shadowed by the file's.
 */
export class SiteCatalog {
  /** The known sites in the three forms readers ask for, rebuilt together on each re-read. */
  private view: CatalogView;
  /** The change stamp the stored sites were last read under (undefined: never read). */
  private readStamp: string | undefined;
  private pending: Promise<boolean> | undefined;
  /** Invalid stored sites already reported, with the message (each is reported once per message). */
  private readonly reported = new Map<string, string>();

  constructor(private readonly opts: SiteCatalogOptions) {
    this.view = catalogView(opts, []);
  }

  /** Builds the catalog of a loaded configuration. */
  static forConfig(
    config: Pick<PhantomConfig, 'sites' | 'sitesFile'>,
    store: SiteStore,
    onInvalid?: SiteCatalogOptions['onInvalid'],
  ): SiteCatalog {
    return new SiteCatalog({
      configured: config.sites,
      source: config.sitesFile !== undefined ? 'config' : 'default',
      ...(config.sitesFile !== undefined ? { file: config.sitesFile } : {}),
      store,
      ...(onInvalid ? { onInvalid } : {}),
    });
  }

  /** Every known site's config: configured ones first, in configuration order, then CLI-added ones by name. */
  all(): readonly SiteConfig[] {
    return this.view.configs;
  }

  /** Every known site name, in the order of `all()`. */
  names(): readonly string[] {
    return this.view.names;
  }

  /** Every known site with its source, in the order of `all()`. */
  list(): readonly CatalogEntry[] {
    return this.view.entries;
  }

  /** The known site of that name, or undefined. */
  get(name: string): CatalogEntry | undefined {
    return this.view.entries.find((e) => e.config.site === name);
  }

  /** Where the configured (non-CLI) sites come from, and the config file if any. */
  configuredBy(): { source: 'config' | 'default'; file?: string } {
    return { source: this.opts.source, ...(this.opts.file !== undefined ? { file: this.opts.file } : {}) };
  }

  /** Whether `name` is defined by the config file or the defaults (so the CLI may not change it). */
  isConfigured(name: string): boolean {
    return this.opts.configured.some((s) => s.site === name);
  }

  /**
   * Re-reads the stored sites if the store's change stamp moved since the last read (always
   * on the first call). Concurrent calls share one read. Returns whether it read.
   * @throws the store's error (the previous sites stay in force).
   */
  refresh(): Promise<boolean> {
    this.pending ??= this.reread().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async reread(): Promise<boolean> {
    const stamp = this.opts.store.changeStamp();
    if (stamp === this.readStamp) return false;
    const records = await this.opts.store.listSites();
    const stored: CatalogEntry[] = [];
    for (const record of records) {
      if (this.isConfigured(record.name)) continue;
      try {
        stored.push({ config: siteConfigOf(record), source: 'cli' });
      } catch (error) {
        if (!(error instanceof DriverConfigError)) throw error;
        if (this.reported.get(record.name) !== error.message) this.opts.onInvalid?.(record.name, error.message);
        this.reported.set(record.name, error.message);
      }
    }
    this.view = catalogView(this.opts, stored);
    this.readStamp = stamp;
    return true;
  }
}
