/**
 * The OpenStack driver (issue 4): Keystone v3 + Nova natively, through a small fetch client.
 * keystone.ts authenticates and reads the catalog, resources.ts resolves images and flavors,
 * nova-mapper.ts maps states and errors; this file makes the calls.
 *
 * Nova has no client token, so a launch is made idempotent by a deterministic server name per
 * client token (`phantom-<token>`): the name is looked up before every create, so a retry
 * after a lost response finds the server the first call created.
 */
import { CloudError, type CloudDriver, type CloudInstance, type LaunchRequest } from '../../contracts/cloud.ts';
import type { Clock } from '../../contracts/clock.ts';
import { realSleep, type Sleep } from '../../lib/sleep.ts';
import { requestJson, type FetchLike, type JsonResponse } from './http.ts';
import { KeystoneSession, type OpenStackAuth } from './keystone.ts';
import {
  isCapacityMessage,
  mapNovaError,
  parseNovaServer,
  serverName,
  SERVER_NAME_PREFIX,
  toCloudInstance,
  toNovaMetadata,
  type NovaServer,
} from './nova-mapper.ts';
import { ResourceResolver } from './resources.ts';
import { isRecord } from '../../lib/is-record.ts';

/** The compute API microversion the driver speaks (2.47: flavor name inside the server). */
export const NOVA_MICROVERSION = '2.47';

/** Options of an {@link OpenStackDriver}. */
export interface OpenStackDriverOptions {
  /** Required. The Phantom site name. */
  site: string;
  /** Required. Keystone v3 URL. */
  authUrl: string;
  /** Required. The user's credentials (never logged). */
  auth: OpenStackAuth;
  /** Optional. Catalog region; absent = the first endpoint of the interface. */
  region?: string;
  /** Optional. Catalog interface; default `public`. */
  interface?: 'public' | 'internal';
  /** Optional. Key pair used when a launch names none. */
  keyName?: string;
  /** Optional. Network UUIDs to attach; absent = Nova's `auto`. */
  networks?: string[];
  /** Optional. Security group names added to every launch's own. */
  securityGroups?: string[];
  /** Optional. Per-request timeout in ms; default 30 000. */
  requestTimeoutMs?: number;
  /** Required. Time source (token expiry, launch times). */
  clock: Clock;
  /** Optional. Default the built-in fetch. */
  fetch?: FetchLike;
  /** Optional. `limit` of each `GET /servers/detail` page; default 1000. */
  pageSize?: number;
  /** Optional. How long a launch waits for Nova's scheduler to place the server (ms); default 10 000. */
  scheduleWaitMs?: number;
  /** Optional. Sleep between scheduling polls; default real time. */
  sleep?: Sleep;
}

const regexEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const ok = (r: JsonResponse): boolean => r.status >= 200 && r.status < 300;
const SCHEDULE_POLL_MS = 500;

/**
 * One OpenStack site (one user's credentials) as a CloudDriver. Every call honours `signal`
 * (rejects with its reason, before any request when already aborted) and throws only
 * CloudError otherwise. A 401 from Nova or Glance renews the token and retries once.
 */
export class OpenStackDriver implements CloudDriver {
  readonly site: string;
  private readonly session: KeystoneSession;
  private readonly resources: ResourceResolver;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  private readonly sleep: Sleep;

  constructor(private readonly options: OpenStackDriverOptions) {
    this.site = options.site;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.pageSize = options.pageSize ?? 1000;
    this.sleep = options.sleep ?? realSleep;
    this.session = new KeystoneSession({
      authUrl: options.authUrl,
      auth: options.auth,
      interface: options.interface ?? 'public',
      clock: options.clock,
      timeoutMs: this.timeoutMs,
      fetch: this.fetchImpl,
      ...(options.region !== undefined ? { region: options.region } : {}),
    });
    this.resources = new ResourceResolver(
      (service, path, signal, microversion) => this.call(service, 'GET', path, undefined, signal, microversion),
      async (signal) => (await this.session.endpoint('image', signal)) !== undefined,
      options.site,
    );
  }

  /**
   * Required. Servers named `phantom-*` (`GET /servers/detail?name=^phantom-`, paged with
   * `limit`/`marker`) whose metadata carries all of `filter.tags` — checked here, since Nova
   * does not filter by metadata for ordinary users. Deleted servers are not listed (Nova hides
   * them); ERROR ones are, as `failed` with the fault. Idempotent (read only).
   * @throws CloudError auth | throttled | transient | invalid; the signal's reason when aborted.
   */
  async listInstances(filter: { tags: Record<string, string> }, signal: AbortSignal): Promise<CloudInstance[]> {
    signal.throwIfAborted();
    const servers = await this.servers(`^${regexEscape(SERVER_NAME_PREFIX)}`, signal);
    const wanted = Object.entries(filter.tags);
    const now = this.options.clock.now();
    return servers
      .filter((s) => s.name.startsWith(SERVER_NAME_PREFIX) && wanted.every(([k, v]) => s.metadata[k] === v))
      .map((s) =>
        toCloudInstance(
          s,
          {
            imageId: this.resources.termOf('image', s.imageId),
            instanceType: this.resources.termOf('flavor', s.flavorName ?? s.flavorId),
          },
          now,
        ),
      );
  }

  /**
   * Required. Launches one server named `phantom-<clientToken>` with the request's tags (and
   * the token) as metadata on the create call itself. Idempotent on `clientToken`: a server of
   * that name is looked up first and returned in whatever state it is. After the create the
   * server is read back (waiting up to `scheduleWaitMs` while Nova schedules it): a server the
   * scheduler could not place ("No valid host was found") is deleted and reported as capacity.
   * A create whose answer is lost (timeout, reset, 5xx) throws; the retry finds the server.
   * @throws CloudError capacity | quota | auth | invalid (unknown image/flavor, bad metadata) |
   *   throttled | transient; the signal's reason when aborted.
   */
  async launch(request: LaunchRequest, signal: AbortSignal): Promise<CloudInstance> {
    signal.throwIfAborted();
    const metadata = toNovaMetadata(request.tags, request.clientToken);
    const name = serverName(request.clientToken);
    const names = { imageId: request.imageId, instanceType: request.instanceType };
    const existing = await this.byName(name, signal);
    if (existing) return toCloudInstance(existing, names, this.options.clock.now());
    const [image, flavor] = await Promise.all([
      this.resources.image(request.imageId, signal),
      this.resources.flavor(request.instanceType, signal),
    ]);
    const keyName = request.keyName ?? this.options.keyName;
    const groups = [...new Set([...(request.securityGroups ?? []), ...(this.options.securityGroups ?? [])])];
    const server = {
      name,
      imageRef: image.id,
      flavorRef: flavor.id,
      metadata,
      networks: this.options.networks?.length ? this.options.networks.map((uuid) => ({ uuid })) : 'auto',
      ...(keyName !== undefined ? { key_name: keyName } : {}),
      ...(request.userData !== undefined ? { user_data: request.userData } : {}),
      ...(groups.length > 0 ? { security_groups: groups.map((g) => ({ name: g })) } : {}),
    };
    const created = await this.call('compute', 'POST', '/servers', { server }, signal);
    if (!ok(created)) throw mapNovaError(created.status, created.body, `Creating server ${name} on site ${this.site}`);
    const id = isRecord(created.body) && isRecord(created.body.server) ? created.body.server.id : undefined;
    if (typeof id !== 'string')
      throw new CloudError('transient', `Nova accepted server ${name} on site ${this.site} without returning its id`);
    const placed = await this.scheduled(id, signal);
    if (placed.status.toUpperCase() === 'ERROR' && placed.fault !== undefined && isCapacityMessage(placed.fault)) {
      await this.remove(id, signal).catch(() => undefined); // an ERROR server holds quota; the next pass would not see it
      throw new CloudError('capacity', `Nova could not place server ${name} on site ${this.site}: ${placed.fault}`);
    }
    return toCloudInstance(placed, names, this.options.clock.now());
  }

  /**
   * Required. `DELETE /servers/{id}` for each id; 404 (already gone or never existed) counts
   * as success. Idempotent.
   * @throws CloudError auth | throttled | transient; the signal's reason when aborted.
   */
  async terminate(ids: readonly string[], signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    for (const id of ids) await this.remove(id, signal);
  }

  private async remove(id: string, signal: AbortSignal): Promise<void> {
    const response = await this.call('compute', 'DELETE', `/servers/${encodeURIComponent(id)}`, undefined, signal);
    if (ok(response) || response.status === 404) return;
    throw mapNovaError(response.status, response.body, `Deleting server ${id} on site ${this.site}`);
  }

  /** The server named exactly `name` (not deleted), preferring one that did not fail; undefined when none. */
  private async byName(name: string, signal: AbortSignal): Promise<NovaServer | undefined> {
    const found = (await this.servers(`^${regexEscape(name)}$`, signal)).filter((s) => s.name === name);
    return found.find((s) => s.status.toUpperCase() !== 'ERROR') ?? found[0];
  }

  /** Reads a new server until the scheduler has placed it (or `scheduleWaitMs` passed). */
  private async scheduled(id: string, signal: AbortSignal): Promise<NovaServer> {
    const deadline = this.options.clock.now().getTime() + (this.options.scheduleWaitMs ?? 10_000);
    for (;;) {
      const response = await this.call('compute', 'GET', `/servers/${encodeURIComponent(id)}`, undefined, signal);
      if (!ok(response))
        throw mapNovaError(response.status, response.body, `Reading new server ${id} on site ${this.site}`);
      const server = parseNovaServer(isRecord(response.body) ? response.body.server : undefined);
      const scheduling =
        server.status.toUpperCase() === 'BUILD' &&
        (server.taskState === 'scheduling' || server.taskState === undefined);
      if (!scheduling || this.options.clock.now().getTime() >= deadline) return server;
      await this.sleep(SCHEDULE_POLL_MS, signal);
    }
  }

  /** Every server matching the name regex, over all pages. */
  private async servers(nameRegex: string, signal: AbortSignal): Promise<NovaServer[]> {
    const out: NovaServer[] = [];
    let marker: string | undefined;
    for (;;) {
      const query = `name=${encodeURIComponent(nameRegex)}&limit=${this.pageSize}${marker !== undefined ? `&marker=${encodeURIComponent(marker)}` : ''}`;
      const response = await this.call('compute', 'GET', `/servers/detail?${query}`, undefined, signal);
      if (!ok(response)) throw mapNovaError(response.status, response.body, `Listing servers on site ${this.site}`);
      const body = isRecord(response.body) ? response.body : {};
      const page = Array.isArray(body.servers) ? body.servers.map(parseNovaServer) : [];
      out.push(...page);
      const links = Array.isArray(body.servers_links) ? body.servers_links : [];
      const next = links.some((l) => isRecord(l) && l.rel === 'next');
      const last = page[page.length - 1];
      if (!next || !last || last.id === marker) return out;
      marker = last.id;
    }
  }

  /** One authenticated request to a catalog service; a 401 renews the token and retries once. */
  private async call(
    service: 'compute' | 'image',
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body: unknown,
    signal: AbortSignal,
    microversion = NOVA_MICROVERSION,
  ): Promise<JsonResponse> {
    for (let attempt = 0; ; attempt++) {
      const token = await this.session.token(signal);
      const found = await this.session.endpoint(service, signal);
      // Glance's catalog URL is usually unversioned; some clouds list it with /v2.
      const base = service === 'image' ? found?.replace(/\/v2(\.\d+)?$/, '') : found;
      if (base === undefined)
        throw new CloudError(
          'invalid',
          `The service catalog of site ${this.site} has no ${service} endpoint (interface ${this.options.interface ?? 'public'}${this.options.region !== undefined ? `, region ${this.options.region}` : ''})`,
        );
      const headers: Record<string, string> = { 'x-auth-token': token.value };
      if (service === 'compute')
        Object.assign(headers, {
          'x-openstack-nova-api-version': microversion,
          'openstack-api-version': `compute ${microversion}`,
        });
      const response = await requestJson(this.fetchImpl, {
        method,
        url: `${base}${path}`,
        headers,
        body,
        signal,
        timeoutMs: this.timeoutMs,
      });
      if (response.status !== 401 || attempt > 0) return response;
      this.session.invalidate(token.value);
    }
  }
}
