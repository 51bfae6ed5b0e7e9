import type { ActionDefinition } from '../query/action.ts';
import { constantActions, describeAccountLimitsAction } from './account.ts';
import { describeActivitiesAction } from './activities.ts';
import { createGroupAction, deleteGroupAction, describeGroupsAction, resumeProcessesAction, setDesiredCapacityAction, suspendProcessesAction, updateGroupAction } from './groups.ts';
import { describeInstancesAction, setInstanceHealthAction, terminateInstanceAction } from './instances.ts';
import { createLaunchConfigurationAction, deleteLaunchConfigurationAction, describeLaunchConfigurationsAction } from './launch-configurations.ts';
import { createOrUpdateTagsAction, deleteTagsAction, describeTagsAction } from './tags.ts';

/** Every action Phantom implements, by name (the static registry; no scanning). */
export const IMPLEMENTED_ACTIONS: ReadonlyMap<string, ActionDefinition> = new Map(
  ([
    createLaunchConfigurationAction,
    describeLaunchConfigurationsAction,
    deleteLaunchConfigurationAction,
    createGroupAction,
    updateGroupAction,
    describeGroupsAction,
    deleteGroupAction,
    setDesiredCapacityAction,
    suspendProcessesAction,
    resumeProcessesAction,
    describeInstancesAction,
    terminateInstanceAction,
    setInstanceHealthAction,
    createOrUpdateTagsAction,
    deleteTagsAction,
    describeTagsAction,
    describeActivitiesAction,
    describeAccountLimitsAction,
    ...constantActions,
  ] as ActionDefinition[]).map((a) => [a.name, a]),
);

/** The 66 operations of the AWS Auto Scaling API 2011-01-01 (botocore service model). */
export const AWS_ACTIONS: readonly string[] = [
  'AttachInstances', 'AttachLoadBalancerTargetGroups', 'AttachLoadBalancers', 'AttachTrafficSources',
  'BatchDeleteScheduledAction', 'BatchPutScheduledUpdateGroupAction', 'CancelInstanceRefresh', 'CompleteLifecycleAction',
  'CreateAutoScalingGroup', 'CreateLaunchConfiguration', 'CreateOrUpdateTags', 'DeleteAutoScalingGroup',
  'DeleteLaunchConfiguration', 'DeleteLifecycleHook', 'DeleteNotificationConfiguration', 'DeletePolicy',
  'DeleteScheduledAction', 'DeleteTags', 'DeleteWarmPool', 'DescribeAccountLimits', 'DescribeAdjustmentTypes',
  'DescribeAutoScalingGroups', 'DescribeAutoScalingInstances', 'DescribeAutoScalingNotificationTypes',
  'DescribeInstanceRefreshes', 'DescribeLaunchConfigurations', 'DescribeLifecycleHookTypes', 'DescribeLifecycleHooks',
  'DescribeLoadBalancerTargetGroups', 'DescribeLoadBalancers', 'DescribeMetricCollectionTypes',
  'DescribeNotificationConfigurations', 'DescribePolicies', 'DescribeScalingActivities', 'DescribeScalingProcessTypes',
  'DescribeScheduledActions', 'DescribeTags', 'DescribeTerminationPolicyTypes', 'DescribeTrafficSources',
  'DescribeWarmPool', 'DetachInstances', 'DetachLoadBalancerTargetGroups', 'DetachLoadBalancers',
  'DetachTrafficSources', 'DisableMetricsCollection', 'EnableMetricsCollection', 'EnterStandby', 'ExecutePolicy',
  'ExitStandby', 'GetPredictiveScalingForecast', 'LaunchInstances', 'PutLifecycleHook', 'PutNotificationConfiguration',
  'PutScalingPolicy', 'PutScheduledUpdateGroupAction', 'PutWarmPool', 'RecordLifecycleActionHeartbeat',
  'ResumeProcesses', 'RollbackInstanceRefresh', 'SetDesiredCapacity', 'SetInstanceHealth', 'SetInstanceProtection',
  'StartInstanceRefresh', 'SuspendProcesses', 'TerminateInstanceInAutoScalingGroup', 'UpdateAutoScalingGroup',
];
