import type { ActivityRecord, InstanceRecord } from '../../contracts/records.ts';
import { setInstanceHealth, terminateInstance } from '../../services/instances.ts';
import { defineAction } from '../query/action.ts';
import { pageSize, paginate } from '../query/pagination.ts';
import { bool, int, list, opt, req, str, struct, xmlString } from '../query/shape.ts';
import type { XmlValue } from '../query/xml.ts';

/** The AWS `AutoScalingInstanceDetails` member. */
const instanceDetailsXml = (i: InstanceRecord): XmlValue => ({
  InstanceId: i.instanceId,
  InstanceType: i.instanceType,
  AutoScalingGroupName: i.groupName,
  AvailabilityZone: i.site,
  LifecycleState: i.lifecycleState,
  HealthStatus: i.healthStatus.toUpperCase(),
  LaunchConfigurationName: i.launchConfigurationName,
  ProtectedFromScaleIn: i.protectedFromScaleIn,
});

/** The AWS `Activity` member. */
export const activityXml = (a: ActivityRecord): XmlValue => ({
  ActivityId: a.activityId,
  AutoScalingGroupName: a.groupName,
  Description: a.description,
  Cause: a.cause,
  StartTime: a.startTime,
  EndTime: a.endTime,
  StatusCode: a.statusCode,
  StatusMessage: a.statusMessage,
  Progress: a.progress,
  Details: a.details,
});

export const describeInstancesAction = defineAction({
  name: 'DescribeAutoScalingInstances',
  readOnly: true,
  input: struct({ InstanceIds: opt(list(xmlString(19))), MaxRecords: opt(int()), NextToken: opt(str({ max: 4096 })) }),
  async handle(ctx, input) {
    const limit = pageSize(input.MaxRecords, 50, 50);
    const ids = input.InstanceIds?.length ? input.InstanceIds : undefined;
    const scope = `inst|${ctx.user.id}|${JSON.stringify(ids ?? [])}`;
    const after = input.NextToken === undefined ? undefined : ctx.deps.pageTokens.decode(scope, input.NextToken);
    const rows = await ctx.deps.store.listInstances(ctx.user.id, { instanceIds: ids, after, limit: limit + 1 });
    const page = paginate(rows, limit, (i) => i.instanceId, ctx.deps.pageTokens, scope);
    return { AutoScalingInstances: page.items.map(instanceDetailsXml), NextToken: page.nextToken };
  },
});

export const terminateInstanceAction = defineAction({
  name: 'TerminateInstanceInAutoScalingGroup',
  input: struct({ InstanceId: req(xmlString(19)), ShouldDecrementDesiredCapacity: req(bool()) }),
  async handle(ctx, input) {
    const { activity, effect } = await terminateInstance(
      ctx.deps,
      ctx.user,
      input.InstanceId,
      input.ShouldDecrementDesiredCapacity,
    );
    return { result: { Activity: activityXml(activity) }, effect };
  },
});

export const setInstanceHealthAction = defineAction({
  name: 'SetInstanceHealth',
  input: struct({
    InstanceId: req(xmlString(19)),
    HealthStatus: req(str({ enum: ['Healthy', 'Unhealthy'] })),
    ShouldRespectGracePeriod: opt(bool()),
  }),
  async handle(ctx, input) {
    return setInstanceHealth(
      ctx.deps,
      ctx.user,
      input.InstanceId,
      input.HealthStatus as 'Healthy' | 'Unhealthy',
      input.ShouldRespectGracePeriod ?? true,
    );
  },
});
