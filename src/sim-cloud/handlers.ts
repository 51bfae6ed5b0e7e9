import { randomUUID } from 'node:crypto';
import { isCloudError, type CloudInstance, type LaunchRequest } from '../contracts/cloud.ts';
import type { Clock } from '../contracts/clock.ts';
import type { SimCloud } from '../drivers/sim/open.ts';
import { Ec2Error, fromCloudError, invalidParameter, LostResponse, missingParameter } from './ec2-errors.ts';
import type { Ec2Params } from './ec2-params.ts';
import type { Ec2XmlValue } from './ec2-xml.ts';
import { ec2State, instanceXml, matchesFilters, page, parseFilters, reservationId, SIM_OWNER_ID } from './instances.ts';

/** What every action handler works on. */
export interface Ec2Context {
  /** The simulated site behind the API. */
  cloud: SimCloud;
  /** Region name reported by DescribeRegions / DescribeAvailabilityZones. */
  region: string;
  /** Accepted image ids; undefined = any. */
  images: ReadonlySet<string> | undefined;
  /** Accepted instance types; undefined = any. */
  instanceTypes: ReadonlySet<string> | undefined;
  /** Time source of the simulated cloud. */
  clock: Clock;
  /** Aborted when the client goes away or the server closes. */
  signal: AbortSignal;
}

/** An action handler: the response body elements after `<requestId>`. */
export type Ec2Handler = (params: Ec2Params, ctx: Ec2Context) => Promise<Record<string, Ec2XmlValue>>;

/** Runs a driver call, turning CloudErrors into EC2 errors (and lost launch responses into LostResponse). */
async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (!isCloudError(e)) throw e;
    if (e.kind === 'transient' && e.providerMessage.startsWith('RequestTimeout:')) throw new LostResponse();
    throw fromCloudError(e);
  }
}

const DEFAULT_INSTANCE_TYPE = 'm1.small';

function checkImage(ctx: Ec2Context, imageId: string): void {
  if (ctx.images && !ctx.images.has(imageId))
    throw new Ec2Error('InvalidAMIID.NotFound', `The image id '[${imageId}]' does not exist`);
}

function checkInstanceType(ctx: Ec2Context, type: string): void {
  if (ctx.instanceTypes && !ctx.instanceTypes.has(type))
    throw invalidParameter(`Invalid value '${type}' for InstanceType.`);
}

function instanceTags(params: Ec2Params): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const spec of params.structs('TagSpecification')) {
    const type = spec.get('ResourceType');
    if (type === undefined || type === '') throw missingParameter('TagSpecification.N.ResourceType');
    if (type !== 'instance') continue; // volumes, network interfaces…: the sim has none to tag
    for (const tag of spec.structs('Tag')) tags[tag.require('Key')] = tag.get('Value') ?? '';
  }
  return tags;
}

const runInstances: Ec2Handler = async (params, ctx) => {
  const imageId = params.require('ImageId');
  const min = params.integer('MinCount', 0, Number.MAX_SAFE_INTEGER);
  const max = params.integer('MaxCount', 0, Number.MAX_SAFE_INTEGER);
  if (min === undefined) throw missingParameter('MinCount');
  if (max === undefined) throw missingParameter('MaxCount');
  if (min !== 1 || max !== 1) {
    throw invalidParameter(
      `sim-cloud launches exactly one instance per call: MinCount and MaxCount must both be 1 (got ${min} and ${max})`,
    );
  }
  const instanceType = params.get('InstanceType') ?? DEFAULT_INSTANCE_TYPE;
  checkImage(ctx, imageId);
  checkInstanceType(ctx, instanceType);
  const groups = [...params.list('SecurityGroup'), ...params.list('SecurityGroupId')];
  const keyName = params.get('KeyName');
  const userData = params.get('UserData');
  const request: LaunchRequest = {
    clientToken: params.get('ClientToken') ?? randomUUID(),
    imageId,
    instanceType,
    ...(keyName !== undefined ? { keyName } : {}),
    ...(userData !== undefined ? { userData } : {}),
    ...(groups.length > 0 ? { securityGroups: groups } : {}),
    tags: instanceTags(params),
  };
  const instance = await call(() => ctx.cloud.driver.launch(request, ctx.signal));
  return {
    reservationId: reservationId(instance.id),
    ownerId: SIM_OWNER_ID,
    groupSet: [],
    instancesSet: [instanceXml(instance, ctx.cloud.inspect(instance.id), ctx.cloud.state.site)],
  };
};

const describeInstances: Ec2Handler = async (params, ctx) => {
  const ids = params.list('InstanceId');
  const maxResults = params.integer('MaxResults', 5, 1000);
  if (ids.length > 0 && maxResults !== undefined) {
    throw new Ec2Error(
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  }
  const filters = parseFilters(params);
  const all = await call(() => ctx.cloud.driver.listInstances({ tags: {} }, ctx.signal));
  let selected: CloudInstance[] = all;
  if (ids.length > 0) {
    const byId = new Map(all.map((i) => [i.id, i]));
    const missing = ids.filter((id) => !byId.has(id));
    if (missing.length > 0)
      throw new Ec2Error('InvalidInstanceID.NotFound', `The instance IDs '${missing.join(', ')}' do not exist`);
    selected = [...new Set(ids)].map((id) => byId.get(id)).filter((i): i is CloudInstance => i !== undefined);
  }
  const { items, nextToken } = page(
    selected.filter((i) => matchesFilters(i, filters)),
    maxResults,
    params.get('NextToken'),
  );
  const site = ctx.cloud.state.site;
  return {
    reservationSet: items.map((i) => ({
      reservationId: reservationId(i.id),
      ownerId: SIM_OWNER_ID,
      groupSet: [],
      instancesSet: [instanceXml(i, ctx.cloud.inspect(i.id), site)],
    })),
    nextToken,
  };
};

const terminateInstances: Ec2Handler = async (params, ctx) => {
  const ids = [...new Set(params.list('InstanceId'))];
  if (ids.length === 0) throw missingParameter('InstanceId');
  const { cloud } = ctx;
  cloud.state.observe(ctx.clock.now().getTime());
  const previous = ids.map((id) => cloud.state.get(id)?.state ?? 'terminated');
  try {
    await call(() => cloud.driver.terminate(ids, ctx.signal));
  } finally {
    cloud.flush();
  }
  return {
    instancesSet: ids.map((id, n) => ({
      instanceId: id,
      currentState: ec2State(cloud.state.get(id)?.state ?? 'terminated'),
      previousState: ec2State(previous[n] ?? 'terminated'),
    })),
  };
};

const describeRegions: Ec2Handler = async (params, ctx) => {
  const wanted = params.list('RegionName');
  const unknown = wanted.find((r) => r !== ctx.region);
  if (unknown !== undefined) throw invalidParameter(`Invalid region: ${unknown}`);
  return { regionInfo: [{ regionName: ctx.region, regionEndpoint: 'sim-cloud', optInStatus: 'opt-in-not-required' }] };
};

const describeAvailabilityZones: Ec2Handler = async (params, ctx) => {
  const site = ctx.cloud.state.site;
  const unknown = params.list('ZoneName').find((z) => z !== site);
  if (unknown !== undefined) throw invalidParameter(`The zone '${unknown}' does not exist`);
  return {
    availabilityZoneInfo: [
      {
        zoneName: site,
        zoneState: 'available',
        regionName: ctx.region,
        zoneId: `${ctx.region}-${site}`,
        zoneType: 'availability-zone',
        messageSet: [],
      },
    ],
  };
};

const describeImages: Ec2Handler = async (params, ctx) => {
  const wanted = params.list('ImageId');
  wanted.forEach((id) => checkImage(ctx, id));
  const ids = wanted.length > 0 ? wanted : [...(ctx.images ?? [])];
  return {
    imagesSet: ids.map((imageId) => ({
      imageId,
      imageLocation: `sim-cloud/${imageId}`,
      imageState: 'available',
      imageOwnerId: SIM_OWNER_ID,
      isPublic: true,
      architecture: 'x86_64',
      imageType: 'machine',
      name: imageId,
      rootDeviceType: 'ebs',
      virtualizationType: 'hvm',
      hypervisor: 'xen',
    })),
  };
};

const describeInstanceTypes: Ec2Handler = async (params, ctx) => {
  const wanted = params.list('InstanceType');
  for (const type of wanted) {
    if (ctx.instanceTypes && !ctx.instanceTypes.has(type))
      throw new Ec2Error('InvalidInstanceType', `The following supplied instance types do not exist: [${type}]`);
  }
  const types = wanted.length > 0 ? wanted : [...(ctx.instanceTypes ?? [])];
  return {
    instanceTypeSet: types.map((instanceType) => ({
      instanceType,
      currentGeneration: true,
      vCpuInfo: { defaultVCpus: 1 },
      memoryInfo: { sizeInMiB: 1024 },
    })),
  };
};

/** Every action the simulated cloud answers; anything else is InvalidAction. */
export const EC2_HANDLERS: Readonly<Record<string, Ec2Handler>> = Object.freeze({
  RunInstances: runInstances,
  DescribeInstances: describeInstances,
  TerminateInstances: terminateInstances,
  DescribeRegions: describeRegions,
  DescribeAvailabilityZones: describeAvailabilityZones,
  DescribeImages: describeImages,
  DescribeInstanceTypes: describeInstanceTypes,
});
