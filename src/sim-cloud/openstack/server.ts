/**
 * `phantom sim-cloud --api openstack`: the simulated cloud behind a fake Keystone v3
 * (`/identity/v3`), Nova (`/compute/v2.1`) and Glance (`/image/v2`) on one port, JSON as the
 * real services speak it. The same simulated state and knobs as the EC2 sim-cloud
 * (`openSimCloud`), persisted in the state file.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../../contracts/clock.ts';
import type { SimKnobs } from '../../drivers/sim/knobs.ts';
import { openSimCloud, type SimCloud } from '../../drivers/sim/open.ts';
import { cryptoRandom } from '../../lib/random.ts';
import { LostResponse } from '../ec2-errors.ts';
import { handleCompute } from './compute.ts';
import { FakeKeystone, keystoneId, type FakeApplicationCredential, type FakeUser } from './identity.ts';
import { badRequest, itemNotFound, OsError } from './os-error.ts';
import {
  DEFAULT_FLAVORS,
  DEFAULT_IMAGES,
  glanceImage,
  makeFlavors,
  makeImages,
  serverIdOf as serverIdOfRecord,
} from './resources.ts';
import { microversion, type FakeServer } from './views.ts';
import { readBody } from '../read-body.ts';
import { closeSimServer, listenSimServer } from '../listen.ts';

/** Options of {@link startOpenStackSimServer}. */
export interface OpenStackSimServerOptions {
  /** Required. Interface to listen on. */
  host: string;
  /** Required. Port; 0 picks a free one. */
  port: number;
  /** Required. Site name (the state file's site, the availability zone). */
  site: string;
  /** Required. JSON state file (created when absent). */
  stateFile: string;
  /** Required. Sim knobs (absent ones take the defaults). */
  knobs: Partial<SimKnobs>;
  /** Optional. Catalog region; default `RegionOne`. */
  region?: string;
  /** Optional. Accepted users (domain Default); with no users and no application credentials, any is accepted. */
  users?: FakeUser[];
  /** Optional. Accepted application credentials. */
  applicationCredentials?: FakeApplicationCredential[];
  /** Optional. The one project (domain Default); default `phantom`. */
  project?: string;
  /** Optional. Image names; default DEFAULT_IMAGES. */
  images?: string[];
  /** Optional. Flavor names; default DEFAULT_FLAVORS. */
  flavors?: string[];
  /** Optional. Token lifetime in ms; default one hour. */
  tokenTtlMs?: number;
  /** Optional. Clock of the sim and of token expiry; default the system clock. */
  clock?: Clock;
  /** Optional. Uniform [0, 1) source of the sim. */
  random?: () => number;
}

/** A running fake OpenStack. */
export interface OpenStackSimServer {
  /** `http://HOST:PORT` */
  readonly url: string;
  /** The Keystone v3 URL clients authenticate at (`<url>/identity/v3`). */
  readonly authUrl: string;
  readonly port: number;
  /** The simulated cloud behind the APIs (knobs, kill, inspect). */
  readonly cloud: SimCloud;
  /** The Nova server id of a simulated instance id, and back (undefined when unknown). */
  simIdOf(serverId: string): string | undefined;
  /** Revokes every issued token (the next service call answers 401). */
  revokeTokens(): void;
  /** Stops listening, drops connections, writes the state file. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text !== '' ? { 'content-type': 'application/json' } : {}),
    'content-length': Buffer.byteLength(text),
    'x-openstack-request-id': `req-${randomUUID()}`,
    ...headers,
  });
  res.end(text);
}

/**
 * Starts the fake OpenStack.
 * @throws Error when the state file is unreadable or another site's, or the port cannot be bound.
 */
export async function startOpenStackSimServer(opts: OpenStackSimServerOptions): Promise<OpenStackSimServer> {
  const clock = opts.clock ?? systemClock;
  const cloud = openSimCloud({
    site: opts.site,
    file: opts.stateFile,
    clock,
    random: opts.random ?? cryptoRandom,
    knobs: opts.knobs,
  });
  const region = opts.region ?? 'RegionOne';
  const images = makeImages(opts.images?.length ? opts.images : DEFAULT_IMAGES);
  const flavors = makeFlavors(opts.flavors?.length ? opts.flavors : DEFAULT_FLAVORS);
  const endpoint = (id: string, url: string): unknown[] =>
    ['public', 'internal'].map((iface) => ({
      id: keystoneId(`endpoint-${iface}`, id),
      interface: iface,
      region,
      region_id: region,
      url,
    }));
  const keystone = new FakeKeystone({
    users: opts.users ?? [],
    applicationCredentials: opts.applicationCredentials ?? [],
    project: opts.project ?? 'phantom',
    tokenTtlMs: opts.tokenTtlMs ?? 3_600_000,
    clock,
    catalog: (base) => [
      {
        id: keystoneId('service', 'keystone'),
        type: 'identity',
        name: 'keystone',
        endpoints: endpoint('identity', `${base}/identity`),
      },
      {
        id: keystoneId('service', 'nova'),
        type: 'compute',
        name: 'nova',
        endpoints: endpoint('compute', `${base}/compute/v2.1`),
      },
      {
        id: keystoneId('service', 'glance'),
        type: 'image',
        name: 'glance',
        endpoints: endpoint('image', `${base}/image`),
      },
    ],
  });
  const unplaced = new Map<string, FakeServer>();
  const closing = new AbortController();
  let base = '';

  async function answer(
    req: IncomingMessage,
    res: ServerResponse,
  ): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname.replace(/\/+$/, '');
    const raw = await readBody(req, MAX_BODY_BYTES, () => new OsError(413, 'overLimit', 'Request is too large.'));
    let body: unknown;
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw path.startsWith('/identity')
          ? new OsError(400, 'error', 'Malformed request body', 'Bad Request')
          : badRequest('Malformed request body');
      }
    }
    if (path === '' || path === '/identity' || path === '/identity/v3') {
      return {
        status: 200,
        body: { version: { id: 'v3.14', status: 'stable', links: [{ rel: 'self', href: `${base}/identity/v3/` }] } },
      };
    }
    if (path === '/identity/v3/auth/tokens' && method === 'POST') {
      const issued = keystone.issue(body, base);
      return { status: 201, body: issued.body, headers: { 'x-subject-token': issued.value } };
    }
    const header = (name: string): string | undefined => {
      const v = req.headers[name];
      return Array.isArray(v) ? v[0] : v;
    };
    const aborted = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) aborted.abort(new Error('client went away'));
    };
    res.on('close', onClose);
    try {
      if (path.startsWith('/compute/v2.1')) {
        const token = keystone.validate(header('x-auth-token'));
        const version = microversion({
          'openstack-api-version': header('openstack-api-version'),
          'x-openstack-nova-api-version': header('x-openstack-nova-api-version'),
        });
        const reply = await handleCompute(
          {
            cloud,
            images,
            flavors,
            unplaced,
            computeUrl: `${base}/compute/v2.1`,
            projectId: token.projectId,
            userId: keystoneId('user', token.user),
            clock,
            signal: AbortSignal.any([aborted.signal, closing.signal]),
            version,
          },
          method,
          path.slice('/compute/v2.1'.length),
          url.searchParams,
          body,
        );
        return {
          ...reply,
          headers: {
            'x-openstack-nova-api-version': version.join('.'),
            'openstack-api-version': `compute ${version.join('.')}`,
            vary: 'OpenStack-API-Version, X-OpenStack-Nova-API-Version',
          },
        };
      }
      if (path.startsWith('/image/v2/images') && method === 'GET') {
        keystone.validate(header('x-auth-token'));
        const id = path.slice('/image/v2/images'.length).replace(/^\//, '');
        if (id === '') {
          const name = url.searchParams.get('name');
          return {
            status: 200,
            body: {
              images: images.filter((i) => name === null || i.name === name).map(glanceImage),
              schema: '/v2/schemas/images',
              first: '/v2/images',
            },
          };
        }
        const image = images.find((i) => i.id === decodeURIComponent(id));
        if (!image) throw new OsError(404, 'message', `No image found with ID ${decodeURIComponent(id).slice(0, 64)}`);
        return { status: 200, body: glanceImage(image) };
      }
      throw itemNotFound('The resource could not be found.');
    } finally {
      res.off('close', onClose);
    }
  }

  const server = createServer((req, res) => {
    answer(req, res).then(
      (reply) => send(res, reply.status, reply.body, reply.headers),
      (e: unknown) => {
        if (e instanceof LostResponse) {
          res.destroy();
          return;
        }
        const error = e instanceof OsError ? e : new OsError(500, 'computeFault', 'Unexpected API Error.');
        send(
          res,
          error.status,
          error.body(),
          error.status === 401 ? { 'www-authenticate': `Keystone uri="${base}/identity"` } : {},
        );
      },
    );
  });
  const bound = await listenSimServer(server, opts.host, opts.port);
  const port = bound.port;
  base = bound.url;
  return {
    url: base,
    authUrl: `${base}/identity/v3`,
    port,
    cloud,
    simIdOf: (serverId) =>
      cloud.state.list({}, clock.now().getTime()).find((r) => serverIdOfRecord(r.id) === serverId)?.id,
    revokeTokens: () => keystone.revokeAll(),
    close: () => closeSimServer(server, closing, cloud),
  };
}
