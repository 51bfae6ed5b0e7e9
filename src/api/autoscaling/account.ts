import { SCALING_PROCESSES, TERMINATION_POLICIES } from '../../domain/processes.ts';
import { limitsOf } from '../../services/deps.ts';
import { defineAction } from '../query/action.ts';
import { struct } from '../query/shape.ts';

export const describeAccountLimitsAction = defineAction({
  name: 'DescribeAccountLimits',
  readOnly: true,
  input: struct({}),
  async handle(ctx) {
    const limits = limitsOf(ctx.deps, ctx.user);
    const [groups, lcs] = await Promise.all([
      ctx.deps.store.countGroups(ctx.user.id),
      ctx.deps.store.countLaunchConfigurations(ctx.user.id),
    ]);
    return {
      MaxNumberOfAutoScalingGroups: limits.maxGroups,
      MaxNumberOfLaunchConfigurations: limits.maxLaunchConfigurations,
      NumberOfAutoScalingGroups: groups,
      NumberOfLaunchConfigurations: lcs,
    };
  },
});

/** An action whose answer never changes (AWS's Describe*Types). */
const constant = (name: string, result: Record<string, unknown>) =>
  defineAction({
    name,
    readOnly: true,
    input: struct({}),
    handle: async () => result as never,
  });

export const constantActions = [
  constant('DescribeAdjustmentTypes', {
    AdjustmentTypes: ['ChangeInCapacity', 'ExactCapacity', 'PercentChangeInCapacity'].map((AdjustmentType) => ({
      AdjustmentType,
    })),
  }),
  constant('DescribeScalingProcessTypes', { Processes: SCALING_PROCESSES.map((ProcessName) => ({ ProcessName })) }),
  constant('DescribeTerminationPolicyTypes', { TerminationPolicyTypes: [...TERMINATION_POLICIES] }),
  constant('DescribeLifecycleHookTypes', {
    LifecycleHookTypes: ['autoscaling:EC2_INSTANCE_LAUNCHING', 'autoscaling:EC2_INSTANCE_TERMINATING'],
  }),
  constant('DescribeAutoScalingNotificationTypes', {
    AutoScalingNotificationTypes: [
      'autoscaling:EC2_INSTANCE_LAUNCH',
      'autoscaling:EC2_INSTANCE_LAUNCH_ERROR',
      'autoscaling:EC2_INSTANCE_TERMINATE',
      'autoscaling:EC2_INSTANCE_TERMINATE_ERROR',
      'autoscaling:TEST_NOTIFICATION',
    ],
  }),
  constant('DescribeMetricCollectionTypes', {
    Metrics: [
      'GroupMinSize',
      'GroupMaxSize',
      'GroupDesiredCapacity',
      'GroupInServiceInstances',
      'GroupPendingInstances',
      'GroupStandbyInstances',
      'GroupTerminatingInstances',
      'GroupTotalInstances',
    ].map((Metric) => ({ Metric })),
    Granularities: [{ Granularity: '1Minute' }],
  }),
];
