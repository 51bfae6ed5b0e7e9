/**
 * The EC2 driver (issue 3, part 4): AWS and EC2-compatible clouds (Eucalyptus, OpenStack's EC2
 * API, Nimbus, phantom sim-cloud, moto) through `@aws-sdk/client-ec2`. Split per DESIGN.md §4:
 * ec2-client.ts builds the SDK client, ec2-mapper.ts maps states and errors, this file calls.
 */
import type { EC2Client, Filter, Instance, _InstanceType } from '@aws-sdk/client-ec2';
import type { CloudDriver, CloudInstance, LaunchRequest } from '../../contracts/cloud.ts';
import { CloudError } from '../../contracts/cloud.ts';
import { ec2ClientConfig, type Ec2SiteOptions } from './ec2-client.ts';
import { CLIENT_TOKEN_TAG, hasAllTags, mapEc2Error, mapEc2Instance } from './ec2-mapper.ts';

export type { Ec2SiteOptions } from './ec2-client.ts';

/** EC2's limit on ids per TerminateInstances call, and on MaxResults per DescribeInstances page. */
export const EC2_BATCH = 1000;

/** Options of an Ec2Driver: the site, plus (for tests) a ready SDK client. */
export interface Ec2DriverOptions extends Ec2SiteOptions {
  /** Optional. A ready client (tests); default one built from the site options (ec2ClientConfig). */
  client?: EC2Client;
}

const GONE_CODES = ['InvalidInstanceID.NotFound', 'InvalidInstanceID.Malformed'];

/**
 * The SDK is loaded on first use: @aws-sdk/client-ec2 costs ~100 MB of resident memory once
 * imported, which a Phantom without EC2 sites (the embedded default) should not pay.
 */
type Ec2Sdk = typeof import('@aws-sdk/client-ec2');
let sdkLoading: Promise<Ec2Sdk> | undefined;
const loadSdk = (): Promise<Ec2Sdk> => (sdkLoading ??= import('@aws-sdk/client-ec2'));

/** The loaded SDK and this site's client. */
interface Ready {
  sdk: Ec2Sdk;
  client: EC2Client;
}

/**
 * One EC2 site as a CloudDriver. Every call is one SDK attempt (no SDK retries: the reconciler
 * retries with backoff), honours `signal` (rejects with the signal's reason, before any request
 * when already aborted), and throws only CloudError otherwise (see mapEc2Error).
 */
export class Ec2Driver implements CloudDriver {
  readonly site: string;
  private client: EC2Client | undefined;
  private readonly keyName: string | undefined;

  constructor(private readonly options: Ec2DriverOptions) {
    this.site = options.site;
    this.keyName = options.keyName;
    this.client = options.client;
  }

  /**
   * Required. DescribeInstances with one `tag:<key>` filter per tag, paged (MaxResults 1000 and
   * NextToken) until done, every reservation flattened. Results are re-checked for exact tag
   * equality, since EC2 filter values treat `*` and `?` as wildcards. Idempotent (read only).
   * @throws CloudError auth | throttled | transient | invalid; the signal's reason when aborted.
   */
  async listInstances(filter: { tags: Record<string, string> }, signal: AbortSignal): Promise<CloudInstance[]> {
    const filters: Filter[] = Object.entries(filter.tags).map(([key, value]) => ({
      Name: `tag:${key}`,
      Values: [value],
    }));
    const found = await this.describe(filters, signal);
    return found.filter((i) => hasAllTags(i, filter.tags));
  }

  /**
   * Required. Launches one instance: RunInstances with MinCount = MaxCount = 1, ClientToken,
   * and the request's tags plus `phantom:client-token` in TagSpecifications (on the create call
   * itself, never a separate CreateTags). Idempotent on `clientToken`: AWS honours ClientToken,
   * and because some EC2-compatible clouds (moto, some Eucalyptus/OpenStack versions) ignore it,
   * an instance tagged with the token is looked up first and returned when it exists (in any
   * state, as AWS does). `keyName` falls back to the site's default key pair.
   * @throws CloudError capacity | quota | auth | invalid | throttled | transient; the signal's reason when aborted.
   */
  async launch(request: LaunchRequest, signal: AbortSignal): Promise<CloudInstance> {
    signal.throwIfAborted();
    const [existing] = await this.describe(
      [{ Name: `tag:${CLIENT_TOKEN_TAG}`, Values: [request.clientToken] }],
      signal,
    );
    if (existing) return existing;
    const keyName = request.keyName ?? this.keyName;
    const tags = { ...request.tags, [CLIENT_TOKEN_TAG]: request.clientToken };
    const out = await this.call(signal, ({ sdk, client }) =>
      client.send(
        new sdk.RunInstancesCommand({
          MinCount: 1,
          MaxCount: 1,
          ClientToken: request.clientToken,
          ImageId: request.imageId,
          InstanceType: request.instanceType as _InstanceType,
          ...(keyName !== undefined ? { KeyName: keyName } : {}),
          ...(request.userData !== undefined ? { UserData: request.userData } : {}),
          ...(request.securityGroups?.length ? { SecurityGroups: [...request.securityGroups] } : {}),
          TagSpecifications: [
            { ResourceType: 'instance', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
          ],
        }),
        { abortSignal: signal },
      ),
    );
    const [instance] = out.Instances ?? [];
    if (!instance) throw new CloudError('transient', 'RunInstances answered without an instance');
    // Some clouds echo no tags in the RunInstances response; the request's are what was set.
    return mapEc2Instance({ ...instance, Tags: instance.Tags?.length ? instance.Tags : tagList(tags) }, new Date());
  }

  /**
   * Required. TerminateInstances in batches of at most 1000 ids. Ids already gone, unknown or
   * malformed (`InvalidInstanceID.NotFound` / `.Malformed`) count as success: the batch is
   * retried without the ids the error names, or id by id when it names none. Idempotent.
   * @throws CloudError auth | throttled | transient; the signal's reason when aborted.
   */
  async terminate(ids: readonly string[], signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    for (let at = 0; at < ids.length; at += EC2_BATCH) {
      await this.terminateBatch(ids.slice(at, at + EC2_BATCH), signal);
    }
  }

  private async terminateBatch(batch: string[], signal: AbortSignal): Promise<void> {
    let remaining = batch;
    while (remaining.length > 0) {
      try {
        await this.call(signal, ({ sdk, client }) =>
          client.send(new sdk.TerminateInstancesCommand({ InstanceIds: remaining }), { abortSignal: signal }),
        );
        return;
      } catch (e) {
        const gone = goneIds(e, remaining);
        if (gone === undefined) throw e;
        if (gone.length === 0) {
          // The error names no id: settle it one id at a time (each gone one is a success).
          if (remaining.length === 1) return;
          for (const id of remaining) await this.terminateBatch([id], signal);
          return;
        }
        remaining = remaining.filter((id) => !gone.includes(id));
      }
    }
  }

  /** DescribeInstances over every page, flattened and mapped. */
  private async describe(filters: Filter[], signal: AbortSignal): Promise<CloudInstance[]> {
    const raw: Instance[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const page = await this.call(signal, ({ sdk, client }) =>
        client.send(
          new sdk.DescribeInstancesCommand({
            ...(filters.length ? { Filters: filters } : {}),
            MaxResults: EC2_BATCH,
            ...(token !== undefined ? { NextToken: token } : {}),
          }),
          { abortSignal: signal },
        ),
      );
      for (const reservation of page.Reservations ?? []) raw.push(...(reservation.Instances ?? []));
      nextToken = page.NextToken !== undefined && page.NextToken !== '' ? page.NextToken : undefined;
    } while (nextToken !== undefined);
    const now = new Date();
    return raw.map((i) => mapEc2Instance(i, now));
  }

  private async ready(): Promise<Ready> {
    const sdk = await loadSdk();
    this.client ??= new sdk.EC2Client(ec2ClientConfig(this.options));
    return { sdk, client: this.client };
  }

  /** Runs one SDK call: aborted → the signal's reason; any other failure → CloudError. */
  private async call<T>(signal: AbortSignal, send: (ready: Ready) => Promise<T>): Promise<T> {
    signal.throwIfAborted();
    const ready = await this.ready();
    try {
      return await send(ready);
    } catch (e) {
      throw mapEc2Error(e, signal);
    }
  }
}

const tagList = (tags: Record<string, string>): { Key: string; Value: string }[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/**
 * For a TerminateInstances failure: undefined when it is not an "id gone" error; otherwise the
 * ids of `batch` the provider's message names (possibly none).
 */
function goneIds(e: unknown, batch: readonly string[]): string[] | undefined {
  if (!(e instanceof CloudError) || !GONE_CODES.some((code) => e.providerMessage.startsWith(`${code}:`)))
    return undefined;
  const words = new Set(e.providerMessage.split(/[^A-Za-z0-9_.-]+/).map((w) => w.replace(/\.+$/, '')));
  return batch.filter((id) => words.has(id));
}
