import type { GroupRecord } from '../../contracts/records.ts';
import { SCALING_PROCESSES } from '../../domain/processes.ts';
import {
  createGroup,
  deleteGroup,
  setDesiredCapacity,
  setProcessesSuspended,
  updateGroup,
} from '../../services/groups.ts';
import { defineAction } from '../query/action.ts';
import { ApiError } from '../query/errors.ts';
import { pageSize, paginate } from '../query/pagination.ts';
import { bool, int, list, nameOrArn, opt, req, resourceName, str, struct, xmlString } from '../query/shape.ts';
import { groupMembersXml } from './group-xml.ts';
import { tagInput } from './tags.ts';

const groupFields = {
  LaunchConfigurationName: opt(nameOrArn()),
  MinSize: opt(int({ min: 0 })),
  MaxSize: opt(int({ min: 0 })),
  DesiredCapacity: opt(int({ min: 0 })),
  DefaultCooldown: opt(int({ min: 0 })),
  AvailabilityZones: opt(list(xmlString(255))),
  HealthCheckType: opt(xmlString(32)),
  HealthCheckGracePeriod: opt(int({ min: 0 })),
  PlacementGroup: opt(xmlString(255)),
  VPCZoneIdentifier: opt(xmlString(5000)),
  TerminationPolicies: opt(list(xmlString(1600))),
  NewInstancesProtectedFromScaleIn: opt(bool()),
  LaunchTemplate: opt(
    struct({
      LaunchTemplateId: opt(xmlString(255)),
      LaunchTemplateName: opt(xmlString(128)),
      Version: opt(xmlString(255)),
    }),
  ),
  MixedInstancesPolicy: opt(struct({})),
};

/** The settings Create and UpdateAutoScalingGroup share, from AWS input names to Phantom's. */
function sharedSettings(input: {
  DesiredCapacity?: number;
  DefaultCooldown?: number;
  HealthCheckType?: string;
  HealthCheckGracePeriod?: number;
  VPCZoneIdentifier?: string;
  PlacementGroup?: string;
  TerminationPolicies?: string[];
  NewInstancesProtectedFromScaleIn?: boolean;
}) {
  return {
    desiredCapacity: input.DesiredCapacity,
    defaultCooldown: input.DefaultCooldown,
    healthCheckType: input.HealthCheckType,
    healthCheckGracePeriod: input.HealthCheckGracePeriod,
    vpcZoneIdentifier: input.VPCZoneIdentifier,
    placementGroup: input.PlacementGroup,
    terminationPolicies: input.TerminationPolicies,
    newInstancesProtectedFromScaleIn: input.NewInstancesProtectedFromScaleIn,
  };
}

/** Phantom launches from launch configurations only; say so rather than ignore the request. */
function refuseLaunchTemplates(input: {
  LaunchTemplate?: object;
  MixedInstancesPolicy?: object;
  InstanceId?: string;
}): void {
  if (input.LaunchTemplate || input.MixedInstancesPolicy || input.InstanceId) {
    throw new ApiError(
      'ValidationError',
      'Phantom launches instances from launch configurations only; LaunchTemplate, MixedInstancesPolicy and InstanceId are not supported.',
    );
  }
}

export const createGroupAction = defineAction({
  name: 'CreateAutoScalingGroup',
  input: struct({
    ...groupFields,
    AutoScalingGroupName: req(resourceName()),
    MinSize: req(int({ min: 0 })),
    MaxSize: req(int({ min: 0 })),
    InstanceId: opt(xmlString(19)),
    LoadBalancerNames: opt(list(xmlString(255))),
    TargetGroupARNs: opt(list(xmlString(511))),
    Tags: opt(list(tagInput, 50)),
  }),
  async handle(ctx, input) {
    refuseLaunchTemplates(input);
    if (input.LaunchConfigurationName === undefined) {
      throw new ApiError(
        'ValidationError',
        'Valid requests must contain either LaunchTemplate, LaunchConfigurationName, InstanceId or MixedInstancesPolicy parameter.',
      );
    }
    const tags = (input.Tags ?? []).map((t) => {
      if (t.ResourceId !== undefined && t.ResourceId !== input.AutoScalingGroupName)
        throw new ApiError(
          'ValidationError',
          `Tag ResourceId ${t.ResourceId} does not match AutoScalingGroupName ${input.AutoScalingGroupName}.`,
        );
      return { key: t.Key, value: t.Value ?? '', propagateAtLaunch: t.PropagateAtLaunch ?? false };
    });
    return createGroup(ctx.deps, ctx.user, {
      name: input.AutoScalingGroupName,
      launchConfigurationName: input.LaunchConfigurationName,
      ...sharedSettings(input),
      minSize: input.MinSize,
      maxSize: input.MaxSize,
      availabilityZones: input.AvailabilityZones ?? [],
      loadBalancerNames: input.LoadBalancerNames ?? [],
      targetGroupARNs: input.TargetGroupARNs ?? [],
      tags,
    });
  },
});

export const updateGroupAction = defineAction({
  name: 'UpdateAutoScalingGroup',
  input: struct({ ...groupFields, AutoScalingGroupName: req(nameOrArn()) }),
  async handle(ctx, input) {
    refuseLaunchTemplates(input);
    return updateGroup(ctx.deps, ctx.user, input.AutoScalingGroupName, {
      launchConfigurationName: input.LaunchConfigurationName,
      ...sharedSettings(input),
      minSize: input.MinSize,
      maxSize: input.MaxSize,
      availabilityZones: input.AvailabilityZones?.length ? input.AvailabilityZones : undefined,
    });
  },
});

export const describeGroupsAction = defineAction({
  name: 'DescribeAutoScalingGroups',
  readOnly: true,
  input: struct({
    AutoScalingGroupNames: opt(list(resourceName())),
    MaxRecords: opt(int()),
    NextToken: opt(str({ max: 4096 })),
    Filters: opt(list(struct({ Name: opt(xmlString(255)), Values: opt(list(xmlString(255))) }))),
  }),
  async handle(ctx, input) {
    const limit = pageSize(input.MaxRecords, 50, 100);
    const names = input.AutoScalingGroupNames?.length ? input.AutoScalingGroupNames : undefined;
    const filters = (input.Filters ?? []).map((f) => ({ name: f.Name ?? '', values: f.Values ?? [] }));
    for (const f of filters) {
      if (!/^(tag-key|tag-value|tag:.+)$/.test(f.name))
        throw new ApiError(
          'ValidationError',
          `Filter name ${f.name} is not supported; use tag-key, tag-value or tag:<key>.`,
        );
    }
    const scope = `asg|${ctx.user.id}|${JSON.stringify([names ?? [], filters])}`;
    let after = input.NextToken === undefined ? undefined : ctx.deps.pageTokens.decode(scope, input.NextToken);
    const matches = (g: GroupRecord) =>
      filters.every((f) =>
        f.name === 'tag-key'
          ? g.tags.some((t) => f.values.includes(t.key))
          : f.name === 'tag-value'
            ? g.tags.some((t) => f.values.includes(t.value))
            : g.tags.some((t) => `tag:${t.key}` === f.name && f.values.includes(t.value)),
      );
    const rows: GroupRecord[] = [];
    // Filters are applied after the store's page, so keep reading until the page is full.
    for (;;) {
      const batch = await ctx.deps.store.listGroups(ctx.user.id, { names, after, limit: limit + 1 });
      rows.push(...batch.filter(matches));
      if (rows.length > limit || batch.length <= limit) break;
      after = batch[batch.length - 1]!.name;
    }
    const page = paginate(rows, limit, (g) => g.name, ctx.deps.pageTokens, scope);
    const instances = await ctx.deps.store.listGroupMembers(
      ctx.user.id,
      page.items.map((g) => g.name),
    );
    return {
      AutoScalingGroups: groupMembersXml(page.items, instances),
      NextToken: page.nextToken,
    };
  },
});

export const deleteGroupAction = defineAction({
  name: 'DeleteAutoScalingGroup',
  input: struct({ AutoScalingGroupName: req(nameOrArn()), ForceDelete: opt(bool()) }),
  async handle(ctx, input) {
    return deleteGroup(ctx.deps, ctx.user, input.AutoScalingGroupName, input.ForceDelete ?? false);
  },
});

export const setDesiredCapacityAction = defineAction({
  name: 'SetDesiredCapacity',
  input: struct({
    AutoScalingGroupName: req(nameOrArn()),
    DesiredCapacity: req(int({ min: 0 })),
    HonorCooldown: opt(bool()),
  }),
  async handle(ctx, input) {
    return setDesiredCapacity(ctx.deps, ctx.user, input.AutoScalingGroupName, input.DesiredCapacity);
  },
});

const processesInput = struct({ AutoScalingGroupName: req(nameOrArn()), ScalingProcesses: opt(list(xmlString(255))) });

/** Suspend and Resume differ only in name and direction. */
function processesAction(name: 'SuspendProcesses' | 'ResumeProcesses', suspended: boolean) {
  return defineAction({
    name,
    input: processesInput,
    async handle(ctx, input) {
      return setProcessesSuspended(
        ctx.deps,
        ctx.user,
        input.AutoScalingGroupName,
        input.ScalingProcesses ?? [],
        suspended,
        SCALING_PROCESSES,
      );
    },
  });
}

export const suspendProcessesAction = processesAction('SuspendProcesses', true);
export const resumeProcessesAction = processesAction('ResumeProcesses', false);
