import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { systemClock, type Clock } from '../contracts/clock.ts';
import { Authenticator } from '../api/auth/authenticate.ts';
import { headerMap, type RawRequest } from '../api/http/raw-request.ts';
import { ApiError } from '../api/query/errors.ts';
import { decodeForm, type Param } from '../api/query/form.ts';
import type { SimKnobs } from '../drivers/sim/knobs.ts';
import { openSimCloud, type SimCloud } from '../drivers/sim/open.ts';
import { cryptoRandom } from '../lib/random.ts';
import { Ec2Error, fromAuthError, LostResponse, missingParameter } from './ec2-errors.ts';
import { Ec2Params } from './ec2-params.ts';
import { ec2ErrorXml, ec2SuccessXml } from './ec2-xml.ts';
import { EC2_HANDLERS, type Ec2Context } from './handlers.ts';
import { readBody } from './read-body.ts';
import { closeSimServer, listenSimServer } from './listen.ts';

/** An access key the server accepts (when any are configured). */
export interface SimCloudKey {
  accessKeyId: string;
  secretAccessKey: string;
}

/** Options of {@link startSimCloudServer}. */
export interface SimCloudServerOptions {
  /** Required. Interface to listen on, e.g. `127.0.0.1`. */
  host: string;
  /** Required. Port; 0 picks a free one (see the returned `port`). */
  port: number;
  /** Required. Site name: the state file's site and the one availability zone. */
  site: string;
  /** Required. JSON state file (created when absent); instances outlive a server restart. */
  stateFile: string;
  /** Required. Behaviour knobs (partial: absent ones take the sim defaults). */
  knobs: Partial<SimKnobs>;
  /** Optional. When given, every request must be SigV4/SigV2-signed with one of these; otherwise anything is accepted, signed or not. */
  keys?: SimCloudKey[];
  /** Optional. Accepted image ids; absent or empty = any. */
  images?: string[];
  /** Optional. Accepted instance types; absent or empty = any. */
  instanceTypes?: string[];
  /** Optional. Region reported by DescribeRegions; default `us-east-1`. */
  region?: string;
  /** Optional. The simulated cloud's clock (boot times, launch times); default the system clock. Signatures are always checked against the system clock. */
  clock?: Clock;
  /** Optional. Uniform [0, 1) source of the sim; default crypto randomness. */
  random?: () => number;
}

/** A running simulated-cloud server. */
export interface SimCloudServer {
  /** `http://HOST:PORT` */
  readonly url: string;
  /** The bound port. */
  readonly port: number;
  /** The simulated cloud behind the API (knobs, kill, inspect). */
  readonly cloud: SimCloud;
  /** Stops listening, drops open connections and writes the state file. */
  close(): Promise<void>;
}

/** Largest request body accepted (user data is at most 16 KiB). */
const MAX_BODY_BYTES = 1024 * 1024;

function decode(raw: string): Param[] {
  try {
    return decodeForm(raw);
  } catch (e) {
    if (e instanceof ApiError) throw new Ec2Error('MalformedQueryString', e.message, 400);
    throw e;
  }
}

function send(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Starts the simulated cloud as a standalone EC2 Query API server (protocol `ec2`, API version
 * 2016-11-15): RunInstances, DescribeInstances, TerminateInstances, DescribeRegions,
 * DescribeAvailabilityZones, DescribeImages and DescribeInstanceTypes over the same
 * simulated cloud the `sim` driver embeds (`openSimCloud`), persisted in `stateFile`.
 * @throws Error when the state file is unreadable or another site's, or the port cannot be bound.
 */
export async function startSimCloudServer(opts: SimCloudServerOptions): Promise<SimCloudServer> {
  const clock = opts.clock ?? systemClock;
  const cloud = openSimCloud({
    site: opts.site,
    file: opts.stateFile,
    clock,
    random: opts.random ?? cryptoRandom,
    knobs: opts.knobs,
  });
  const keys = new Map((opts.keys ?? []).map((k) => [k.accessKeyId, k.secretAccessKey]));
  const authenticator =
    keys.size === 0
      ? undefined
      : new Authenticator({
          clock: systemClock,
          lookup: async (accessKeyId) => {
            const secret = keys.get(accessKeyId);
            return secret === undefined ? undefined : { userId: accessKeyId, secret };
          },
        });
  const nonEmpty = (list: string[] | undefined): ReadonlySet<string> | undefined =>
    list && list.length > 0 ? new Set(list) : undefined;
  const images = nonEmpty(opts.images);
  const instanceTypes = nonEmpty(opts.instanceTypes);
  const region = opts.region ?? 'us-east-1';
  const closing = new AbortController();

  async function answer(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<string> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST')
      throw new Ec2Error('MethodNotAllowed', `Method ${method} is not allowed`, 405);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const raw: RawRequest = {
      method,
      path: q < 0 ? url : url.slice(0, q),
      rawQuery: q < 0 ? '' : url.slice(q + 1),
      headers: headerMap(req.rawHeaders),
      body: await readBody(
        req,
        MAX_BODY_BYTES,
        () => new Ec2Error('RequestEntityTooLarge', `The request body exceeds ${MAX_BODY_BYTES} bytes`, 413),
      ),
    };
    const list = [...decode(raw.rawQuery), ...(method === 'POST' ? decode(raw.body.toString('utf8')) : [])];
    if (authenticator) {
      try {
        await authenticator.authenticate(raw, list);
      } catch (e) {
        if (e instanceof ApiError) throw fromAuthError(e);
        throw e;
      }
    }
    const params = new Ec2Params(list);
    const action = params.get('Action');
    if (action === undefined || action === '')
      throw new Ec2Error('MissingAction', 'The request must contain the parameter Action');
    if (params.get('Version') === undefined) throw missingParameter('Version');
    const handler = Object.hasOwn(EC2_HANDLERS, action) ? EC2_HANDLERS[action] : undefined;
    if (!handler)
      throw new Ec2Error('InvalidAction', `The action ${action.slice(0, 100)} is not valid for this web service.`);
    const aborted = new AbortController();
    const onClose = (): void => {
      if (!res.writableFinished) aborted.abort(new Error('client went away'));
    };
    res.on('close', onClose);
    const ctx: Ec2Context = {
      cloud,
      region,
      images,
      instanceTypes,
      clock,
      signal: AbortSignal.any([aborted.signal, closing.signal]),
    };
    try {
      return ec2SuccessXml(action, requestId, await handler(params, ctx));
    } finally {
      res.off('close', onClose);
    }
  }

  const server = createServer((req, res) => {
    const requestId = randomUUID();
    answer(req, res, requestId).then(
      (body) => send(res, 200, body),
      (e: unknown) => {
        if (e instanceof LostResponse) {
          res.destroy();
          return;
        }
        const error = e instanceof Ec2Error ? e : new Ec2Error('InternalError', 'An internal error has occurred', 500);
        send(res, error.status, ec2ErrorXml(error.code, error.message, requestId));
      },
    );
  });
  const { port, url } = await listenSimServer(server, opts.host, opts.port);
  return { url, port, cloud, close: () => closeSimServer(server, closing, cloud) };
}
