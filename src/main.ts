import type { AddressInfo } from 'node:net';
import pino, { type Logger } from 'pino';
import { Authenticator } from './api/auth/authenticate.ts';
import { AWS_ACTIONS, IMPLEMENTED_ACTIONS } from './api/autoscaling/index.ts';
import { createPhantomServer } from './api/http/server.ts';
import { QueryApi } from './api/query/dispatch.ts';
import { PageTokens } from './services/page-tokens.ts';
import { systemClock, type Clock } from './contracts/clock.ts';
import type { PhantomConfig } from './config/config.ts';
import { openDataDir, writeAdminCredentials, type DataDir } from './data-dir.ts';
import type { ServiceDeps } from './services/deps.ts';
import { randomUUID } from 'node:crypto';
import { cryptoRandom } from './lib/random.ts';
import { DriverProvider } from './controllers/driver-provider.ts';
import { Controller } from './controllers/runtime/controller.ts';
import { scalingLoops, type ScalingLoops } from './controllers/runtime/scaling-loops.ts';
import { applyPolicy } from './services/policy-execution.ts';
import { metricSourcesFromConfig } from './metrics/metric-sources.ts';
import { touchedGroups } from './services/write-effect.ts';
import { HttpHealthProber } from './controllers/health/http-prober.ts';
import { SiteBackoff } from './controllers/runtime/backoff.ts';
import { EngineRegistry } from './engines/registry.ts';
import { ShortfallEpisodes } from './controllers/domain-reconciler.ts';
import { listenMetrics, type MetricsListener } from './api/http/metrics-server.ts';
import { Telemetry } from './telemetry/telemetry.ts';
import { CloudWatchApi } from './api/cloudwatch/endpoint.ts';
import { actionMap, CLOUDWATCH_OPERATIONS, METRIC_ACTIONS } from './api/cloudwatch/index.ts';
import { ALARM_ACTIONS } from './api/cloudwatch/alarms.ts';
import { MetricStore } from './metrics/store/metric-store.ts';

/** A started server. */
export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:8445 (the real port when 0 was configured). */
  url: string;
  port: number;
  dataDir: DataDir;
  /** The Prometheus endpoint, e.g. http://127.0.0.1:9464/metrics; absent when PHANTOM_METRICS_LISTEN=off. */
  metricsUrl?: string;
  /** The CloudWatch metric store (in memory), e.g. for ingestInstanceMetrics. */
  metricStore: MetricStore;
  /** The scaling loops (schedules, demand metrics, alarms, sensors), when the controller runs; tests drive their rounds. */
  loops?: ScalingLoops;
  close(): Promise<void>;
}

/**
 * Makes sure someone can sign in: with PHANTOM_ACCESS_KEY/SECRET_KEY the `admin` user holds
 * that pair; with no users at all, an admin is created and its new keys are printed once and
 * written to `<data dir>/admin-credentials` (0600).
 */
async function bootstrapAdmin(config: PhantomConfig, data: DataDir, print: (line: string) => void): Promise<void> {
  const { accounts, store } = data;
  if (config.adminKey) {
    const admin = (await store.getUserByName('admin')) ?? (await accounts.createUser('admin', true));
    await accounts.setKey(admin, config.adminKey);
    return;
  }
  if ((await store.listUsers()).length > 0) return;
  const admin = await accounts.createUser('admin', true);
  const key = await accounts.createKey(admin);
  const file = writeAdminCredentials(config, key.accessKeyId, key.secretAccessKey);
  print(`Created user admin. Access key id: ${key.accessKeyId}  Secret access key: ${key.secretAccessKey}`);
  print(`(shown once; also written to ${file})`);
}

/** The installation id every launched instance carries in its tags (kept in the store). */
async function installationId(data: DataDir): Promise<string> {
  const existing = await data.store.getMeta('installation-id');
  if (existing) return existing;
  const id = randomUUID();
  await data.store.setMeta('installation-id', id);
  return id;
}

/** Sites added or removed with `phantom site` reach a running server at most this late. */
const SITE_REFRESH_MAX_MS = 1000;

/**
 * Re-reads the CLI-added sites every `everyMs` (only when the store changed; the timer does
 * not keep the process alive), logging each site added or removed. A failed read is logged
 * and the previous sites stay in force. Returns the function that stops it.
 */
function refreshSites(data: DataDir, everyMs: number, log: Logger, telemetry: Telemetry): () => void {
  let logged = data.sites.names();
  const timer = setInterval(() => {
    data.sites
      .refresh()
      .then(() => {
        const now = data.sites.names();
        telemetry.sitesChanged(logged, now);
        logged = now;
      })
      .catch((error: unknown) => log.warn({ err: error }, 'could not re-read the sites'));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Builds the drivers, the reconciler and its runtime (not started: the API listens first). */
async function startController(
  config: PhantomConfig,
  data: DataDir,
  clock: Clock,
  log: Logger,
  events: Telemetry,
): Promise<Controller> {
  const drivers = new DriverProvider(() => data.sites.all(), data.credentials, {
    clock,
    random: cryptoRandom,
    dataDir: config.dataDir,
  });
  const { intervalMs, graceMs, backoffInitialMs, backoffMaxMs, launchesPerSite, reconcileTimeoutMs } =
    config.controller;
  let controller: Controller | undefined = undefined;
  const health = new HttpHealthProber({
    clock,
    intervalMs,
    timeoutMs: Math.min(5000, intervalMs),
    allowHosts: config.healthChecks.allowHosts,
    onUnhealthy: (owner, group) => controller?.pokeGroup(owner, group),
  });
  controller = new Controller({
    store: data.store,
    intervalMs,
    log,
    events,
    launchesPerSite,
    reconcileTimeoutMs,
    reconciler: {
      store: data.store,
      clock,
      installationId: await installationId(data),
      driverFor: (owner, site) => drivers.driverFor(owner, site),
      backoff: new SiteBackoff({
        initialMs: backoffInitialMs,
        maxMs: Math.max(backoffMaxMs, backoffInitialMs),
        // History quiet this long is forgotten (and pruned each pass: replacement keys of deleted groups).
        resetAfterMs: 6 * Math.max(backoffMaxMs, backoffInitialMs),
      }),
      engines: new EngineRegistry(),
      shortfalls: new ShortfallEpisodes(),
      knownSites: () => data.sites.names(),
      newIntentId: () => randomUUID(),
      graceMs,
      health,
    },
  });
  return controller;
}

/** Starts the Prometheus listener unless PHANTOM_METRICS_LISTEN=off. @throws the listen error. */
async function startMetrics(
  config: PhantomConfig,
  telemetry: Telemetry,
  log: Logger,
): Promise<MetricsListener | undefined> {
  return config.metricsListen ? listenMetrics(() => telemetry.scrape(), config.metricsListen, log) : undefined;
}

/** How often the metric store drops data past its retention. */
const METRIC_PRUNE_EVERY_MS = 60_000;

/** The CloudWatch metric store (in memory: metrics are lost on restart) and its API, pruned every minute. */
function startCloudWatch(
  config: PhantomConfig,
  clock: Clock,
  authenticator: Authenticator,
  data: DataDir,
  deps: ServiceDeps,
  log: Logger,
) {
  const metricStore = new MetricStore({ clock, maxSeriesPerOwner: config.maxMetricSeries });
  const cloudWatch = new CloudWatchApi({
    store: metricStore,
    clock,
    authenticator,
    userById: (id) => data.accounts.userById(id),
    pageTokens: deps.pageTokens,
    log,
    services: deps,
    actions: actionMap([...METRIC_ACTIONS, ...ALARM_ACTIONS]),
    knownActions: CLOUDWATCH_OPERATIONS,
  });
  const timer = setInterval(() => metricStore.prune(), METRIC_PRUNE_EVERY_MS);
  timer.unref();
  return { metricStore, cloudWatch, stopPruning: () => clearInterval(timer) };
}

/**
 * Composition root: config → data dir → services → Query API → HTTP listener.
 * @throws ConfigError, or the listen error (e.g. EADDRINUSE).
 */
export async function startServer(
  config: PhantomConfig,
  opts: { clock?: Clock; log?: Logger; print?: (line: string) => void } = {},
): Promise<RunningServer> {
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? pino({ level: config.logLevel, base: undefined });
  const data = await openDataDir(
    config,
    clock,
    (site, message) => log.error({ site, message }, 'stored site ignored: its settings no longer validate'),
    { exclusive: true },
  );
  const telemetry = new Telemetry({ log, store: data.store, clock });
  const stopSiteRefresh = refreshSites(
    data,
    Math.min(config.controller.intervalMs, SITE_REFRESH_MAX_MS),
    log,
    telemetry,
  );
  await bootstrapAdmin(config, data, opts.print ?? ((line) => process.stdout.write(`${line}\n`)));
  const deps: ServiceDeps = {
    store: data.store,
    clock,
    sites: () => data.sites.names(),
    defaultLimits: config.defaultLimits,
    pageTokens: new PageTokens(data.box.derive('page-tokens')),
    healthCheckAllowHosts: config.healthChecks.allowHosts,
  };
  const metrics = await startMetrics(config, telemetry, log).catch(async (error: unknown) => {
    stopSiteRefresh();
    await data.close();
    throw error;
  });
  const controller = config.controller.enabled ? await startController(config, data, clock, log, telemetry) : undefined;
  let controllerRunning = controller !== undefined;
  const authenticator = new Authenticator({ lookup: (id) => data.accounts.secretFor(id), clock });
  const api = new QueryApi(
    deps,
    authenticator,
    (id) => data.accounts.userById(id),
    IMPLEMENTED_ACTIONS,
    AWS_ACTIONS,
    log,
    (user, effect) => controller?.pokeWrite(user.id, effect),
  );
  const { metricStore, cloudWatch, stopPruning } = startCloudWatch(config, clock, authenticator, data, deps, log);
  // Beside the controller, the loops that decide how many: schedules, demand metrics, alarms.
  const loops =
    controller &&
    scalingLoops({
      deps,
      metrics: metricStore,
      log,
      intervalMs: config.controller.intervalMs,
      isSimSite: (site) => data.sites.get(site)?.config.driver === 'sim',
      onChanged: (owner, group) => controller.pokeWrite(owner, touchedGroups(group)),
      ...(config.metrics.prometheus ? { prometheus: metricSourcesFromConfig(config.metrics) } : {}),
      invokePolicy: async (owner, policyArn, alarm) => {
        const user = await data.store.getUserById(owner);
        if (!user) return { applied: false, reason: `the owner ${owner} no longer exists` };
        const outcome = await applyPolicy(deps, user, policyArn, { kind: 'alarm', ...alarm });
        if (outcome.applied) controller.pokeWrite(owner, outcome.effect);
        return outcome;
      },
    });
  const server = createPhantomServer(
    api,
    {
      maxBodyBytes: config.maxBodyBytes,
      tls: config.tls,
      accessLog: config.accessLog,
      onRequest: (report) => telemetry.apiRequest(report),
      // Ready: the store answers a read, and the controller runs unless it is switched off.
      ready: async () => {
        await data.store.getMeta('installation-id');
        return !config.controller.enabled || controllerRunning;
      },
      alternate: cloudWatch,
    },
    log,
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  const url = `${config.tls ? 'https' : 'http'}://${host}:${port}`;
  telemetry.started({ url, metricsUrl: metrics?.url, dataDir: config.dataDir, sites: deps.sites() });
  // Only now: a large backlog is caught up behind a serving API, never before it listens.
  controller?.start();
  loops?.start();
  return {
    url,
    port,
    dataDir: data,
    ...(metrics ? { metricsUrl: metrics.url } : {}),
    metricStore,
    ...(loops ? { loops } : {}),
    close: async () => {
      stopPruning();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      controllerRunning = false;
      await loops?.stop();
      await controller?.stop();
      await metrics?.close();
      stopSiteRefresh();
      await data.close();
      telemetry.stopped();
    },
  };
}
