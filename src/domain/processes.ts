/** The processes SuspendProcesses/ResumeProcesses accept (AWS's list). */
export const SCALING_PROCESSES = [
  'Launch',
  'Terminate',
  'AddToLoadBalancer',
  'AlarmNotification',
  'AZRebalance',
  'HealthCheck',
  'InstanceRefresh',
  'ReplaceUnhealthy',
  'ScheduledActions',
] as const;

export type ScalingProcess = (typeof SCALING_PROCESSES)[number];

export const isScalingProcess = (name: string): name is ScalingProcess =>
  (SCALING_PROCESSES as readonly string[]).includes(name);

export const TERMINATION_POLICIES = [
  'Default',
  'AllocationStrategy',
  'ClosestToNextInstanceHour',
  'NewestInstance',
  'OldestInstance',
  'OldestLaunchConfiguration',
  'OldestLaunchTemplate',
] as const;
