/**
 * The fake Nova (compute API v2.1) over the simulated cloud: servers (list, detail with
 * filters and paging, show, create, delete), flavors and the image proxy. Knobs act as on the
 * EC2 sim-cloud: a full site makes the new server ERROR with "No valid host was found" (as
 * Nova's scheduler does), an injected quota error is Nova's 403, a lost launch response drops
 * the connection after the server exists.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { isCloudError, type CloudError, type LaunchRequest } from '../../contracts/cloud.ts';
import type { Clock } from '../../contracts/clock.ts';
import type { SimCloud } from '../../drivers/sim/open.ts';
import { LostResponse } from '../ec2-errors.ts';
import { badRequest, itemNotFound, OsError } from './os-error.ts';
import { novaFlavor, novaImage, serverIdOf, type FakeFlavor, type FakeImage } from './resources.ts';
import { atLeast, fromInstance, NAME_TAG, novaStatus, serverView, type FakeServer } from './views.ts';

/** What every compute request works on. */
export interface NovaContext {
  cloud: SimCloud;
  images: readonly FakeImage[];
  flavors: readonly FakeFlavor[];
  /** Servers the scheduler could not place (ERROR, no simulated instance behind them); in memory. */
  unplaced: Map<string, FakeServer>;
  computeUrl: string;
  projectId: string;
  userId: string;
  clock: Clock;
  signal: AbortSignal;
  version: readonly number[];
}

/** A handler's answer. */
export interface Reply {
  status: number;
  body?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const MAX_LIMIT = 1000;

/** A CloudError of the simulated cloud as the Nova API answers it. */
function fromCloudError(e: CloudError): OsError | LostResponse {
  if (e.kind === 'transient' && e.providerMessage.startsWith('RequestTimeout:')) return new LostResponse();
  switch (e.kind) {
    case 'capacity':
      return new OsError(500, 'computeFault', 'No valid host was found. There are not enough hosts available.');
    case 'quota':
      return new OsError(
        403,
        'forbidden',
        'Quota exceeded for instances: Requested 1, but already used 10 of 10 instances',
      );
    case 'auth':
      return new OsError(403, 'forbidden', 'Policy does not allow this operation to be performed.');
    case 'throttled':
      return new OsError(429, 'overLimit', 'This request was rate-limited.');
    case 'not-found':
      return itemNotFound(e.providerMessage);
    case 'invalid':
      return badRequest(e.providerMessage);
    default:
      return new OsError(
        500,
        'computeFault',
        'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.',
      );
  }
}

/** Runs a sim driver call; its CloudErrors become Nova's answers. */
async function sim<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw isCloudError(e) ? fromCloudError(e) : e;
  }
}

/** Every server, deleted ones included (through the sim driver: knobs, latency, observation). */
async function allServers(ctx: NovaContext): Promise<FakeServer[]> {
  const listed = await sim(() => ctx.cloud.driver.listInstances({ tags: {} }, ctx.signal));
  return [...listed.map((i) => fromInstance(i, ctx.cloud.inspect(i.id))), ...ctx.unplaced.values()];
}

async function find(ctx: NovaContext, id: string): Promise<{ server: FakeServer; simId?: string } | undefined> {
  const unplaced = ctx.unplaced.get(id);
  if (unplaced) return { server: unplaced };
  const listed = await sim(() => ctx.cloud.driver.listInstances({ tags: {} }, ctx.signal));
  const hit = listed.find((i) => serverIdOf(i.id) === id && i.state !== 'terminated');
  return hit ? { server: fromInstance(hit, ctx.cloud.inspect(hit.id)), simId: hit.id } : undefined;
}

const view = (ctx: NovaContext, s: FakeServer): Record<string, unknown> =>
  serverView(s, {
    computeUrl: ctx.computeUrl,
    projectId: ctx.projectId,
    userId: ctx.userId,
    site: ctx.cloud.state.site,
    flavors: ctx.flavors,
    version: ctx.version,
  });

/** `GET /servers[/detail]`: filters name (regex), status, changes-since; sorted newest first; `limit`/`marker` paging. */
async function listServers(ctx: NovaContext, query: URLSearchParams, detail: boolean): Promise<Reply> {
  const limitRaw = query.get('limit');
  if (limitRaw !== null && !/^\d{1,9}$/.test(limitRaw))
    throw badRequest(`Invalid input for query parameters limit. Value: ${limitRaw.slice(0, 32)}.`);
  const limit = Math.min(limitRaw === null ? MAX_LIMIT : Number(limitRaw), MAX_LIMIT);
  let pattern: RegExp | undefined;
  const name = query.get('name');
  try {
    pattern = name === null ? undefined : new RegExp(name);
  } catch {
    throw badRequest(`Invalid regular expression in name filter: ${name?.slice(0, 64)}`);
  }
  const status = query.get('status')?.toUpperCase();
  const withDeleted = query.has('changes-since');
  const all = (await allServers(ctx)).sort((a, b) => b.created - a.created || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  let selected = all.filter(
    (s) =>
      (withDeleted || s.state !== 'terminated') &&
      (!pattern || pattern.test(s.name)) &&
      (status === undefined || novaStatus(s.state) === status),
  );
  const marker = query.get('marker');
  if (marker !== null) {
    const at = selected.findIndex((s) => s.id === marker);
    if (at < 0) throw badRequest(`marker [${marker.slice(0, 64)}] not found`);
    selected = selected.slice(at + 1);
  }
  const page = selected.slice(0, limit);
  const last = page[page.length - 1];
  const next = new URLSearchParams(query);
  if (last) next.set('marker', last.id);
  next.set('limit', String(limit));
  return {
    status: 200,
    body: {
      servers: page.map((s) =>
        detail
          ? view(ctx, s)
          : { id: s.id, name: s.name, links: [{ rel: 'self', href: `${ctx.computeUrl}/servers/${s.id}` }] },
      ),
      ...(page.length === limit && last
        ? {
            servers_links: [
              { rel: 'next', href: `${ctx.computeUrl}/servers${detail ? '/detail' : ''}?${next.toString()}` },
            ],
          }
        : {}),
    },
  };
}

function refId(ref: unknown, field: string): string {
  if (typeof ref !== 'string' || ref === '') throw badRequest(`Invalid input for field/attribute ${field}.`);
  return ref.slice(ref.lastIndexOf('/') + 1);
}

function checkMetadata(raw: unknown): Record<string, string> {
  if (raw === undefined) return {};
  if (!isRecord(raw)) throw badRequest('Invalid input for field/attribute metadata. Value: not an object.');
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string' || k.length === 0 || k.length > 255 || v.length > 255 || k === NAME_TAG) {
      throw badRequest(
        `Invalid input for field/attribute metadata. Value: ${k.slice(0, 64)}. Keys must be 1-255 and values 0-255 characters.`,
      );
    }
    out[k] = v;
  }
  return out;
}

/** `POST /servers`: one server per call (min_count/max_count are refused above 1). */
async function createServer(ctx: NovaContext, body: unknown): Promise<Reply> {
  const server = isRecord(body) && isRecord(body.server) ? body.server : undefined;
  if (!server) throw badRequest("Invalid input for field/attribute server. 'server' is a required property");
  const name = server.name;
  if (typeof name !== 'string' || name.trim() === '' || name.length > 255)
    throw badRequest('Invalid input for field/attribute name. Value: must be 1-255 characters.');
  const imageId = refId(server.imageRef, 'imageRef');
  if (!ctx.images.some((i) => i.id === imageId)) throw badRequest('Can not find requested image');
  const flavorId = refId(server.flavorRef, 'flavorRef');
  if (!ctx.flavors.some((f) => f.id === flavorId))
    throw badRequest(`Flavor ${flavorId.slice(0, 64)} could not be found.`);
  const metadata = checkMetadata(server.metadata);
  if (atLeast(ctx.version, [2, 37]) && server.networks === undefined)
    throw badRequest("Invalid input for field/attribute server. 'networks' is a required property");
  if (
    server.networks !== undefined &&
    server.networks !== 'auto' &&
    server.networks !== 'none' &&
    !Array.isArray(server.networks)
  )
    throw badRequest('Invalid input for field/attribute networks.');
  const userData = server.user_data;
  if (userData !== undefined && (typeof userData !== 'string' || !BASE64.test(userData)))
    throw badRequest('User data needs to be valid base 64.');
  const keyName = server.key_name;
  if (keyName !== undefined && (typeof keyName !== 'string' || keyName === ''))
    throw badRequest('Invalid key_name provided.');
  if ((server.min_count ?? 1) !== 1 || (server.max_count ?? 1) !== 1)
    throw badRequest('The fake Nova creates one server per request (min_count = max_count = 1).');
  const groups = Array.isArray(server.security_groups)
    ? server.security_groups
        .map((g) => (isRecord(g) && typeof g.name === 'string' ? g.name : ''))
        .filter((g) => g !== '')
    : [];
  const request: LaunchRequest = {
    clientToken: randomUUID(), // Nova has no client token: every create is a new server
    imageId,
    instanceType: flavorId,
    ...(keyName !== undefined ? { keyName } : {}),
    ...(userData !== undefined ? { userData } : {}),
    ...(groups.length > 0 ? { securityGroups: groups } : {}),
    tags: { ...metadata, [NAME_TAG]: name },
  };
  try {
    const launched = await ctx.cloud.driver.launch(request, ctx.signal);
    return accepted(ctx, serverIdOf(launched.id), groups);
  } catch (e) {
    if (!isCloudError(e)) throw e;
    if (e.kind !== 'capacity') throw fromCloudError(e);
    // Nova accepts the request; its scheduler then finds no host and the server goes ERROR.
    const id = randomUUID();
    ctx.unplaced.set(id, {
      id,
      name,
      state: 'failed',
      fault: 'No valid host was found. There are not enough hosts available.',
      metadata,
      imageId,
      flavorId,
      ...(keyName !== undefined ? { keyName } : {}),
      securityGroups: groups,
      created: ctx.clock.now().getTime(),
    });
    return accepted(ctx, id, groups);
  }
}

const accepted = (ctx: NovaContext, id: string, groups: string[]): Reply => ({
  status: 202,
  body: {
    server: {
      id,
      links: [{ rel: 'self', href: `${ctx.computeUrl}/servers/${id}` }],
      'OS-DCF:diskConfig': 'MANUAL',
      adminPass: randomBytes(9).toString('base64url'),
      security_groups: (groups.length > 0 ? groups : ['default']).map((name) => ({ name })),
    },
  },
});

async function deleteServer(ctx: NovaContext, id: string): Promise<Reply> {
  const found = await find(ctx, id);
  if (!found) throw itemNotFound(`Instance ${id.slice(0, 64)} could not be found.`);
  if (found.simId === undefined) {
    ctx.unplaced.delete(id);
    return { status: 204 };
  }
  const simId = found.simId;
  await sim(() => ctx.cloud.driver.terminate([simId], ctx.signal));
  return { status: 204 };
}

/**
 * Routes one compute request (path relative to `/compute/v2.1`).
 * @throws OsError (the API error to send), LostResponse (drop the connection).
 */
export async function handleCompute(
  ctx: NovaContext,
  method: string,
  path: string,
  query: URLSearchParams,
  body: unknown,
): Promise<Reply> {
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  const [collection, id, extra] = parts;
  if (collection === 'servers') {
    if (method === 'GET' && (id === undefined || (id === 'detail' && extra === undefined)))
      return listServers(ctx, query, id === 'detail');
    if (method === 'POST' && id === undefined) return createServer(ctx, body);
    if (id !== undefined && extra === undefined) {
      if (method === 'DELETE') return deleteServer(ctx, id);
      if (method === 'GET') {
        const found = await find(ctx, id);
        if (!found) throw itemNotFound(`Instance ${id.slice(0, 64)} could not be found.`);
        return { status: 200, body: { server: view(ctx, found.server) } };
      }
    }
  } else if (collection === 'flavors' && method === 'GET') {
    if (id === undefined || (id === 'detail' && extra === undefined))
      return {
        status: 200,
        body: {
          flavors: ctx.flavors.map((f) =>
            id === 'detail' ? novaFlavor(f, ctx.computeUrl) : { id: f.id, name: f.name, links: [] },
          ),
        },
      };
    const flavor = ctx.flavors.find((f) => f.id === id);
    if (!flavor || extra !== undefined) throw itemNotFound(`Flavor ${id.slice(0, 64)} could not be found.`);
    return { status: 200, body: { flavor: novaFlavor(flavor, ctx.computeUrl) } };
  } else if (collection === 'images' && method === 'GET') {
    if (atLeast(ctx.version, [2, 36])) throw itemNotFound('The resource could not be found.');
    if (id === undefined || id === 'detail') {
      const name = query.get('name');
      return {
        status: 200,
        body: {
          images: ctx.images.filter((i) => name === null || i.name === name).map((i) => novaImage(i, ctx.computeUrl)),
        },
      };
    }
    const image = ctx.images.find((i) => i.id === id);
    if (!image) throw itemNotFound('Image not found.');
    return { status: 200, body: { image: novaImage(image, ctx.computeUrl) } };
  }
  throw itemNotFound('The resource could not be found.');
}
