/**
 * Pure mapping between Nova's words and the driver contract's: server statuses, servers,
 * metadata, and HTTP errors and faults onto the CloudError taxonomy. No I/O (unit-tested
 * table by table in nova-mapper.test.ts).
 */
import { CloudError, type CloudErrorKind, type CloudInstance, type InstanceState } from '../../contracts/cloud.ts';
import { errorMessage } from './http.ts';
import { isRecord } from '../../lib/is-record.ts';

/**
 * The metadata key every launch carries with its client token (Nova has no client token). It
 * is hidden from `CloudInstance.tags` and reported as `clientToken`.
 */
export const CLIENT_TOKEN_KEY = 'phantom:client-token';

/** The prefix of every server name Phantom creates. */
export const SERVER_NAME_PREFIX = 'phantom-';

/** The deterministic server name of a launch: one name per client token (intent). Pure. */
export const serverName = (clientToken: string): string => `${SERVER_NAME_PREFIX}${clientToken}`;

/** Nova's longest metadata key and value. */
export const NOVA_METADATA_MAX = 255;

const STATUS: Readonly<Record<string, InstanceState>> = {
  BUILD: 'pending',
  REBUILD: 'pending',
  ACTIVE: 'running',
  REBOOT: 'running',
  HARD_REBOOT: 'running',
  PASSWORD: 'running',
  RESIZE: 'running',
  VERIFY_RESIZE: 'running',
  REVERT_RESIZE: 'running',
  MIGRATING: 'running',
  RESCUE: 'stopped',
  SHUTOFF: 'stopped',
  SUSPENDED: 'stopped',
  PAUSED: 'stopped',
  SHELVED: 'stopped',
  SHELVED_OFFLOADED: 'stopped',
  ERROR: 'failed',
  DELETED: 'terminated',
  SOFT_DELETED: 'terminated',
};

/**
 * Maps a Nova status (and task state) onto the normalised state. Pure. A server being deleted
 * (`task_state` deleting) is `terminating`; an unknown status (`UNKNOWN`: the compute host is
 * unreachable) is `failed`, so the controller replaces it rather than trusting it.
 */
export function mapNovaStatus(status: string | undefined, taskState?: string | null): InstanceState {
  if (taskState === 'deleting' || taskState === 'soft-deleting') return 'terminating';
  return (status !== undefined ? STATUS[status.toUpperCase()] : undefined) ?? 'failed';
}

/** Whether a fault or error message says the cloud has no room (scheduler found no host). Pure. */
export const isCapacityMessage = (message: string): boolean =>
  /no valid host|exhausted all hosts|insufficient (compute )?resources/i.test(message);

/** Whether a message says a quota is exhausted. Pure. */
export const isQuotaMessage = (message: string): boolean =>
  /quota exceeded|quota.*exceed|exceeds? .*quota/i.test(message);

/**
 * Classifies a non-2xx Nova/Glance answer. Pure.
 * 401 → auth; 403 → quota when the message says so, else auth (policy); 413 (old Nova's
 * overLimit) → quota or throttled; 429, 503 → throttled; 404 → not-found; 400, 409 with a
 * capacity message → capacity; other 400/409/422 → invalid; other 5xx → transient.
 */
export function mapNovaError(status: number, body: unknown, context: string): CloudError {
  const message = `${context}: ${errorMessage(body, status)}`;
  const raw = errorMessage(body, status);
  let kind: CloudErrorKind;
  if (status === 401) kind = 'auth';
  else if (status === 403) kind = isQuotaMessage(raw) ? 'quota' : 'auth';
  else if (status === 413) kind = isQuotaMessage(raw) ? 'quota' : 'throttled';
  else if (status === 429 || status === 503) kind = 'throttled';
  else if (status === 404) kind = 'not-found';
  else if (isCapacityMessage(raw)) kind = 'capacity';
  else if (isQuotaMessage(raw)) kind = 'quota';
  else if (status >= 400 && status < 500) kind = 'invalid';
  else kind = 'transient';
  return new CloudError(kind, message);
}

/**
 * Nova metadata for a launch: the request's tags plus the client-token key. Nova allows `:`
 * in keys; keys must be 1-255 characters and values at most 255.
 * @throws CloudError invalid naming the tag that does not fit.
 */
export function toNovaMetadata(tags: Record<string, string>, clientToken: string): Record<string, string> {
  const metadata: Record<string, string> = { ...tags, [CLIENT_TOKEN_KEY]: clientToken };
  for (const [key, value] of Object.entries(metadata)) {
    if (key.length === 0 || key.length > NOVA_METADATA_MAX)
      throw new CloudError(
        'invalid',
        `Nova metadata key '${key.slice(0, 64)}' must be 1 to ${NOVA_METADATA_MAX} characters`,
      );
    if (value.length > NOVA_METADATA_MAX)
      throw new CloudError('invalid', `Nova metadata value of '${key}' exceeds ${NOVA_METADATA_MAX} characters`);
  }
  return metadata;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The parts of a Nova server (API 2.47+) the driver reads. */
export interface NovaServer {
  id: string;
  name: string;
  status: string;
  taskState?: string | null;
  metadata: Record<string, string>;
  imageId?: string;
  flavorName?: string;
  flavorId?: string;
  fault?: string;
  created?: string;
  addresses: Array<{ addr: string; type: string }>;
}

/**
 * Reads one server object of `GET /servers/detail` or `GET /servers/{id}`. Pure.
 * @throws CloudError transient when it has no id (a malformed answer).
 */
export function parseNovaServer(raw: unknown): NovaServer {
  if (!isRecord(raw) || typeof raw.id !== 'string' || raw.id === '')
    throw new CloudError('transient', 'Nova returned a server without an id');
  const metadata: Record<string, string> = {};
  if (isRecord(raw.metadata))
    for (const [k, v] of Object.entries(raw.metadata)) if (typeof v === 'string') metadata[k] = v;
  const addresses: NovaServer['addresses'] = [];
  if (isRecord(raw.addresses)) {
    for (const list of Object.values(raw.addresses)) {
      if (!Array.isArray(list)) continue;
      for (const a of list)
        if (isRecord(a) && typeof a.addr === 'string')
          addresses.push({ addr: a.addr, type: str(a['OS-EXT-IPS:type']) ?? 'fixed' });
    }
  }
  const image = isRecord(raw.image) ? str(raw.image.id) : undefined;
  const flavor = isRecord(raw.flavor) ? raw.flavor : {};
  const fault = isRecord(raw.fault) ? str(raw.fault.message) : undefined;
  const taskState = raw['OS-EXT-STS:task_state'];
  return {
    id: raw.id,
    name: str(raw.name) ?? '',
    status: str(raw.status) ?? 'UNKNOWN',
    ...(typeof taskState === 'string' || taskState === null ? { taskState } : {}),
    metadata,
    ...(image !== undefined ? { imageId: image } : {}),
    ...(str(flavor.original_name) !== undefined ? { flavorName: str(flavor.original_name) } : {}),
    ...(str(flavor.id) !== undefined ? { flavorId: str(flavor.id) } : {}),
    ...(fault !== undefined ? { fault } : {}),
    ...(str(raw.created) !== undefined ? { created: str(raw.created) } : {}),
    addresses,
  };
}

/**
 * Maps a Nova server onto a CloudInstance. Pure. Tags are the metadata without the client-token
 * key; a fault becomes `stateReason`; fixed addresses are private, floating ones public.
 * @param names How to report the image and flavor (the terms the launch used), when known.
 * @param now Used as `launchedAt` when `created` is missing or unreadable.
 */
export function toCloudInstance(
  server: NovaServer,
  names: { imageId?: string; instanceType?: string },
  now: Date,
): CloudInstance {
  const { [CLIENT_TOKEN_KEY]: clientToken, ...tags } = server.metadata;
  const state = mapNovaStatus(server.status, server.taskState);
  const live = state !== 'terminated' && state !== 'failed';
  const fixed = server.addresses.find((a) => a.type === 'fixed')?.addr;
  const floating = server.addresses.find((a) => a.type === 'floating')?.addr;
  const created = server.created !== undefined ? Date.parse(server.created) : Number.NaN;
  return {
    id: server.id,
    state,
    ...(server.fault !== undefined ? { stateReason: server.fault } : {}),
    tags,
    imageId: names.imageId ?? server.imageId ?? '',
    instanceType: names.instanceType ?? server.flavorName ?? server.flavorId ?? '',
    ...(clientToken !== undefined ? { clientToken } : {}),
    ...(live && fixed !== undefined ? { privateAddress: fixed } : {}),
    ...(live && floating !== undefined ? { publicAddress: floating } : {}),
    launchedAt: Number.isNaN(created) ? now : new Date(created),
  };
}
