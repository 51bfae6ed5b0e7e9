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
import { bool, int, list, nameOrArn, opt, req, resourceName, struct, xmlString } from '../query/shape.ts';
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
