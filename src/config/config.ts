import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { UserLimits } from '../contracts/records.ts';
import { canonicalHost } from '../domain/health-check.ts';
import { DriverConfigError } from '../drivers/driver-config-error.ts';
import { parseDriverConfig, type DriverConfig } from '../drivers/registry.ts';
import { MetricsConfigError, readMetricsConfig, type MetricsConfig } from './metrics-config.ts';

/** A cloud site: its name and its driver's validated settings. */
export type SiteConfig = DriverConfig;

/** Everything the server reads from its environment. Nothing else reads process.env. */
export interface PhantomConfig {
  listen: { host: string; port: number };
  /** State directory: database, master key, admin credentials. */
  dataDir: string;
  tls?: { certFile: string; keyFile: string };
  /** When both are set, the `admin` user holds this pair after start. */
  adminKey?: { accessKeyId: string; secretAccessKey: string };
  /** 32-byte master key (base64 or hex); default: `<dataDir>/master.key`, created on first start. */
  masterKey?: string;
  defaultLimits: UserLimits;
  /** Largest accepted request body, in bytes. */
  maxBodyBytes: number;
  /** CloudWatch metrics (series) each user may have (PHANTOM_MAX_METRIC_SERIES); LimitExceeded beyond. */
  maxMetricSeries: number;
  sites: SiteConfig[];
  /** Optional. The resolved PHANTOM_CONFIG file `sites` came from; absent = the embedded DEFAULT_SITES. */
  sitesFile?: string;
  logLevel: string;
  /** HTTP health checks: `allowHosts` are hosts a health_check_url may name besides the instance's own address (config file `healthChecks.allowHosts`; default none). */
  healthChecks: { allowHosts: string[] };
  /** Where policies' metric values come from (config file `metrics`; default none). */
  metrics: MetricsConfig;
  /** Optional. Where Prometheus metrics are served (GET /metrics); absent = not served (`off`). */
  metricsListen?: { host: string; port: number };
  /** One info line per API request (PHANTOM_ACCESS_LOG=off disables). */
  accessLog: boolean;
  /** The multi-cloud controller that launches and watches instances. */
  controller: {
    /** PHANTOM_CONTROLLER=off serves the API only (used by API-level tests). */
    enabled: boolean;
    /** How often every domain is reconciled without an API write. */
    intervalMs: number;
    /** How long an instance may be missing, or an untracked tagged one exist, before acting. */
    graceMs: number;
    backoffInitialMs: number;
    backoffMaxMs: number;
    /** Launches each site grants per controller batch, shared fairly between users (PHANTOM_LAUNCHES_PER_SITE). */
    launchesPerSite: number;
    /** One domain's reconcile is abandoned after this long (PHANTOM_RECONCILE_TIMEOUT_MS). */
    reconcileTimeoutMs: number;
  };
}

/** The sites a fresh machine has, so the seed's walkthrough works without configuration. */
export const DEFAULT_SITES: SiteConfig[] = [
  { driver: 'sim', site: 'hotel' },
  { driver: 'sim', site: 'sierra' },
];

/** The configured site names, in configuration order. */
export const siteNames = (config: Pick<PhantomConfig, 'sites'>): string[] => config.sites.map((s) => s.site);

/** What a config file (`PHANTOM_CONFIG`) holds. */
export interface ConfigFile {
  /** The sites; the embedded DEFAULT_SITES when the file has no `sites` key. */
  sites: SiteConfig[];
  healthChecks: { allowHosts: string[] };
  metrics: MetricsConfig;
}

/**
 * Reads a YAML config file (`PHANTOM_CONFIG`):
 * `sites: { hotel: { driver: ec2, endpoint: http://127.0.0.1:8773, region: us-east-1 } }` (each
 * driver validates its own settings), optionally `healthChecks: { allowHosts: [host, ...] }` and
 * `metrics: { prometheus: { url, headers, queries, ... } }` (see readMetricsConfig).
 * @throws ConfigError naming the file and the offending field.
 */
export function readConfigFile(file: string): ConfigFile {
  let document: unknown;
  try {
    document = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`PHANTOM_CONFIG ${file}: ${(error as Error).message.split('\n')[0]}`);
  }
  if (typeof document !== 'object' || document === null || Array.isArray(document))
    throw new ConfigError(`PHANTOM_CONFIG ${file}: must be a mapping with a sites, healthChecks or metrics key`);
  const { sites, healthChecks, metrics, ...rest } = document as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined)
    throw new ConfigError(`PHANTOM_CONFIG ${file}: unknown key ${extra} (known: sites, healthChecks, metrics)`);
  return {
    sites: sites === undefined ? DEFAULT_SITES : readSites(file, sites),
    healthChecks: { allowHosts: readAllowHosts(file, healthChecks) },
    metrics: readMetrics(file, metrics),
  };
}

/** The sites of a config file (see readConfigFile). @throws ConfigError naming the file and field. */
export function readSitesFile(file: string): SiteConfig[] {
  return readConfigFile(file).sites;
}

function readSites(file: string, sites: unknown): SiteConfig[] {
  if (typeof sites !== 'object' || sites === null || Array.isArray(sites) || Object.keys(sites).length === 0) {
    throw new ConfigError(`PHANTOM_CONFIG ${file}: sites must map at least one site name to its settings`);
  }
  try {
    return Object.entries(sites).map(([name, settings]) =>
      parseDriverConfig({ ...(settings as object), site: name }, `sites.${name}`),
    );
  } catch (error) {
    if (error instanceof DriverConfigError) throw new ConfigError(`PHANTOM_CONFIG ${file}: ${error.message}`);
    throw error;
  }
}

function readMetrics(file: string, metrics: unknown): MetricsConfig {
  try {
    return readMetricsConfig(`PHANTOM_CONFIG ${file}`, metrics);
  } catch (error) {
    if (error instanceof MetricsConfigError) throw new ConfigError(error.message);
    throw error;
  }
}

function readAllowHosts(file: string, healthChecks: unknown): string[] {
  if (healthChecks === undefined) return [];
  const at = `PHANTOM_CONFIG ${file}: healthChecks`;
  if (typeof healthChecks !== 'object' || healthChecks === null || Array.isArray(healthChecks))
    throw new ConfigError(`${at} must be a mapping, e.g. {allowHosts: [health.example.org]}`);
  const { allowHosts, ...rest } = healthChecks as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new ConfigError(`${at}: unknown key ${extra} (known: allowHosts)`);
  if (allowHosts === undefined) return [];
  if (!Array.isArray(allowHosts)) throw new ConfigError(`${at}.allowHosts must be a list of host names or addresses`);
  return allowHosts.map((host, i) => {
    if (typeof host !== 'string' || canonicalHost(host) === undefined)
      throw new ConfigError(
        `${at}.allowHosts[${i}] must be a host name or IP address without scheme or port, got ${JSON.stringify(host)}`,
      );
    return host;
  });
}

/** A configuration value that cannot be used, named so the operator can fix it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function parseListen(
  value: string,
  name = 'PHANTOM_LISTEN',
  example = '127.0.0.1:8445',
): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value) ?? /^()()(\d{1,5})$/.exec(value);
  const port = Number(match?.[3]);
  if (!match || port > 65535)
    throw new ConfigError(`${name} must be HOST:PORT (e.g. ${example}), got ${JSON.stringify(value)}`);
  return { host: match[1] || match[2] || '127.0.0.1', port };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw))
    throw new ConfigError(`${name} must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

function onOff(env: NodeJS.ProcessEnv, name: string): boolean {
  const value = env[name];
  if (value === undefined || value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new ConfigError(`${name} must be on or off, got ${JSON.stringify(value)}`);
}

/** PHANTOM_METRICS_LISTEN: HOST:PORT (default 127.0.0.1:9464), or `off` (no listener). */
function metricsListen(value: string | undefined): { metricsListen?: { host: string; port: number } } {
  if (value === 'off') return {};
  return { metricsListen: parseListen(value || '127.0.0.1:9464', 'PHANTOM_METRICS_LISTEN', '127.0.0.1:9464, or off') };
}

/**
 * Reads the configuration from the environment (defaults embedded).
 * @throws ConfigError naming the variable at fault.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): PhantomConfig {
  const sitesFile = env.PHANTOM_CONFIG ? resolve(cwd, env.PHANTOM_CONFIG) : undefined;
  const file = sitesFile !== undefined ? readConfigFile(sitesFile) : undefined;
  const cert = env.PHANTOM_TLS_CERT;
  const key = env.PHANTOM_TLS_KEY;
  if (Boolean(cert) !== Boolean(key))
    throw new ConfigError('PHANTOM_TLS_CERT and PHANTOM_TLS_KEY must be set together.');
  const access = env.PHANTOM_ACCESS_KEY;
  const secret = env.PHANTOM_SECRET_KEY;
  if (Boolean(access) !== Boolean(secret))
    throw new ConfigError('PHANTOM_ACCESS_KEY and PHANTOM_SECRET_KEY must be set together.');
  return {
    listen: parseListen(env.PHANTOM_LISTEN || '127.0.0.1:8445'),
    dataDir: resolve(cwd, env.PHANTOM_DATA_DIR || '.phantom'),
    tls: cert && key ? { certFile: cert, keyFile: key } : undefined,
    adminKey: access && secret ? { accessKeyId: access, secretAccessKey: secret } : undefined,
    masterKey: env.PHANTOM_MASTER_KEY || undefined,
    defaultLimits: {
      maxGroups: positiveInt(env, 'PHANTOM_MAX_GROUPS', 500),
      maxLaunchConfigurations: positiveInt(env, 'PHANTOM_MAX_LAUNCH_CONFIGURATIONS', 200),
      maxInstances: positiveInt(env, 'PHANTOM_MAX_INSTANCES', 1000),
    },
    maxBodyBytes: positiveInt(env, 'PHANTOM_MAX_BODY_BYTES', 256 * 1024),
    maxMetricSeries: Math.max(1, positiveInt(env, 'PHANTOM_MAX_METRIC_SERIES', 50_000)),
    sites: file?.sites ?? DEFAULT_SITES,
    healthChecks: file?.healthChecks ?? { allowHosts: [] },
    metrics: file?.metrics ?? {},
    ...(sitesFile !== undefined ? { sitesFile } : {}),
    logLevel: env.PHANTOM_LOG_LEVEL || 'info',
    ...metricsListen(env.PHANTOM_METRICS_LISTEN),
    accessLog: onOff(env, 'PHANTOM_ACCESS_LOG'),
    controller: {
      enabled: onOff(env, 'PHANTOM_CONTROLLER'),
      intervalMs: Math.max(10, positiveInt(env, 'PHANTOM_RECONCILE_INTERVAL_MS', 5000)),
      graceMs: positiveInt(env, 'PHANTOM_GRACE_MS', 60_000),
      backoffInitialMs: Math.max(1, positiveInt(env, 'PHANTOM_BACKOFF_INITIAL_MS', 10_000)),
      backoffMaxMs: Math.max(1, positiveInt(env, 'PHANTOM_BACKOFF_MAX_MS', 300_000)),
      launchesPerSite: Math.max(1, positiveInt(env, 'PHANTOM_LAUNCHES_PER_SITE', 100)),
      reconcileTimeoutMs: Math.max(100, positiveInt(env, 'PHANTOM_RECONCILE_TIMEOUT_MS', 60_000)),
    },
  };
}
