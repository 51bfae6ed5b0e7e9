import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BUILD_INFO } from './build-info.ts';

/** Seconds buckets of a reconcile pass: a quiet pass takes ~1 ms, 1,000 domains ~40 ms. */
const PASS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds buckets of the longest event-loop hold of a batch: the target is ≤ 10 ms. */
const HOLD_BUCKETS = [0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
/** Seconds buckets of a cloud call: a sim answers in µs, a real cloud in 0.1–30 s. */
const CLOUD_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds buckets of an API request: a cached Describe takes ~70 µs. */
const API_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The standard process metrics, read at each scrape. prom-client's default set is not used:
 * some of its gauges end in `_total`, which `promtool check metrics` refuses.
 */
function processMetrics(registry: Registry): void {
  const startSeconds = Math.round(Date.now() / 1000 - process.uptime());
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time spent, in seconds.',
    registers: [registry],
    collect() {
      const { user, system } = process.cpuUsage();
      this.reset();
      this.inc((user + system) / 1e6);
    },
  });
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size, in bytes.',
    registers: [registry],
    collect() {
      this.set(process.memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since the Unix epoch, in seconds.',
    registers: [registry],
  }).set(startSeconds);
}

/**
 * Every Prometheus metric Phantom exports, in a registry of its own (never prom-client's
 * global one, so two servers in one process, as in tests, keep their numbers apart).
 * Labels are bounded sets only: site, action, code, kind, state, operation, outcome, reason —
 * never an owner, group or instance id.
 */
export class PhantomMetrics {
  readonly registry = new Registry();

  readonly passDuration = this.histogram(
    'phantom_reconcile_pass_duration_seconds',
    'Duration of one controller batch: a routine pass over every domain, or an urgent batch after API writes.',
    ['kind'],
    PASS_BUCKETS,
  );

  readonly longestHold = this.histogram(
    'phantom_controller_longest_hold_seconds',
    'The longest time one controller batch (kind routine or urgent) held the event loop at once: one synchronous slice between two turns.',
    ['kind'],
    HOLD_BUCKETS,
  );

  readonly longestHoldMax = this.gauge(
    'phantom_controller_longest_hold_max_seconds',
    'The longest time any controller batch held the event loop at once since the process started, by kind.',
    ['kind'],
  );

  readonly decisions = this.counter('phantom_decisions_total', 'Controller decisions logged, by kind.', ['kind']);

  readonly launches = this.counter(
    'phantom_launches_total',
    'Instances the controller launched (outcome launched) or failed to launch (outcome failed), by site.',
    ['site', 'outcome'],
  );

  readonly terminations = this.counter(
    'phantom_terminations_total',
    'Instances the controller terminated, by site and reason.',
    ['site', 'reason'],
  );

  readonly cloudCallDuration = this.histogram(
    'phantom_cloud_call_duration_seconds',
    'Duration of calls to a cloud site, by site and operation (list, launch, terminate), failed ones included.',
    ['site', 'operation'],
    CLOUD_BUCKETS,
  );

  readonly cloudErrors = this.counter(
    'phantom_cloud_errors_total',
    'Failed cloud calls, by site and error kind (capacity, quota, auth, not-found, throttled, transient, invalid, other).',
    ['site', 'kind'],
  );

  readonly siteBackoff = this.gauge(
    'phantom_site_backoff',
    'Whether a site is backed off for at least one domain (1) or not (0).',
    ['site'],
  );

  readonly instances = this.gauge(
    'phantom_instances',
    'Instances Phantom tracks, by site and lifecycle state (read from the store at each scrape).',
    ['site', 'state'],
  );

  readonly groups = this.gauge(
    'phantom_groups',
    'Auto Scaling groups of every user (read from the store at each scrape).',
    [],
  );

  readonly shortfallGroups = this.gauge(
    'phantom_shortfall_groups',
    'Domains currently short of their desired capacity because every usable site is full or backed off.',
    [],
  );

  readonly shortfallEpisodes = this.counter(
    'phantom_shortfall_episodes_total',
    'Shortfall episodes that began (one per domain each time it falls short).',
    [],
  );

  readonly apiRequests = this.counter(
    'phantom_api_requests_total',
    'Query API requests answered, by action and HTTP status code.',
    ['action', 'code'],
  );

  readonly apiDuration = this.histogram(
    'phantom_api_request_duration_seconds',
    'Query API request duration, from its headers received to its response written, by action.',
    ['action'],
    API_BUCKETS,
  );

  constructor() {
    const info = new Gauge({
      name: 'phantom_build_info',
      help: 'Always 1; the labels carry the Phantom version and the Node.js version.',
      labelNames: ['version', 'node_version'] as const,
      registers: [this.registry],
    });
    info.set({ version: BUILD_INFO.version, node_version: BUILD_INFO.nodeVersion }, 1);
    processMetrics(this.registry);
  }

  /** The exposition text (Prometheus text format 0.0.4) and its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    buckets: number[],
  ): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets, registers: [this.registry] });
  }
}
