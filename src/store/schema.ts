/**
 * Row types of the Phantom database as Kysely sees them. Portable subset only: TEXT and
 * INTEGER columns, booleans as 0/1, lists and objects as JSON text, timestamps as ISO-8601
 * text (`Date#toISOString`, millisecond precision, UTC), so that the same queries run on
 * SQLite and PostgreSQL. Nullable columns hold absent optional fields.
 *
 * Later migrations add columns here (e.g. controller state on groups and instances); row
 * mappers ignore columns they do not know, so adding one never breaks older readers.
 */

/** Installation metadata (installation id, secrets' key ids, …). */
export interface MetaTable {
  key: string;
  value: string;
}

export interface UsersTable {
  id: string;
  name: string;
  is_admin: number;
  created_time: string;
  /** JSON of `Partial<UserLimits>`. */
  limits_json: string;
}

export interface AccessKeysTable {
  access_key_id: string;
  user_id: string;
  sealed_secret: string;
  created_time: string;
}

export interface LaunchConfigurationsTable {
  owner: string;
  name: string;
  arn: string;
  image_id: string;
  instance_type: string;
  key_name: string | null;
  /** JSON string array. */
  security_groups_json: string;
  user_data: string | null;
  kernel_id: string | null;
  ramdisk_id: string | null;
  instance_monitoring: number;
  ebs_optimized: number;
  /** 0/1, or null when not given. */
  associate_public_ip_address: number | null;
  created_time: string;
}

export interface GroupsTable {
  owner: string;
  name: string;
  arn: string;
  launch_configuration_name: string;
  min_size: number;
  max_size: number;
  desired_capacity: number;
  default_cooldown: number;
  health_check_type: string;
  health_check_grace_period: number;
  /** JSON string array. */
  availability_zones_json: string;
  /** JSON string array. */
  load_balancer_names_json: string;
  /** JSON string array. */
  target_group_arns_json: string;
  vpc_zone_identifier: string | null;
  placement_group: string | null;
  /** JSON string array. */
  termination_policies_json: string;
  new_instances_protected_from_scale_in: number;
  /** JSON array of `SuspendedProcess`. */
  suspended_processes_json: string;
  /** JSON array of `Tag`, in creation order. */
  tags_json: string;
  created_time: string;
  deleting: number;
  /** Compare-and-set version; bumped by every update. */
  version: number;
}

export interface InstancesTable {
  owner: string;
  instance_id: string;
  group_name: string;
  site: string;
  lifecycle_state: string;
  health_status: string;
  launch_configuration_name: string;
  instance_type: string | null;
  protected_from_scale_in: number;
  created_time: string;
}

export interface ActivitiesTable {
  activity_id: string;
  owner: string;
  group_name: string;
  description: string;
  cause: string;
  start_time: string;
  end_time: string | null;
  status_code: string;
  status_message: string | null;
  progress: number;
  details: string | null;
}

export interface LaunchIntentsTable {
  intent_id: string;
  owner: string;
  group_name: string;
  site: string;
  launch_configuration_name: string;
  state: string;
  instance_id: string | null;
  attempts: number;
  last_error: string | null;
  created_time: string;
  updated_time: string;
  generation: number;
}

export interface CloudCredentialsTable {
  owner: string;
  site: string;
  sealed: string;
  key_name: string | null;
  created_time: string;
  updated_time: string;
}

export interface SitesTable {
  name: string;
  driver: string;
  /** JSON object: the driver's settings without `driver` and `site`. */
  settings: string;
  created_time: string;
  updated_time: string;
}

export interface AlarmsTable {
  owner: string;
  name: string;
  arn: string;
  /** JSON of `AlarmDefinition`. */
  definition_json: string;
  state: string;
  state_reason: string;
  state_reason_data: string | null;
  state_updated_time: string;
  configuration_updated_time: string;
  last_action_time: string | null;
  owner_policy_arn: string | null;
}

export interface AlarmHistoryTable {
  /** `timestamp|sequence|uuid`: sorts by timestamp then insertion, unique. */
  id: string;
  owner: string;
  alarm_name: string;
  type: string;
  timestamp: string;
  summary: string;
  data: string;
}

export interface ScheduledActionsTable {
  owner: string;
  group_name: string;
  name: string;
  arn: string;
  start_time: string | null;
  end_time: string | null;
  recurrence: string | null;
  time_zone: string | null;
  min_size: number | null;
  max_size: number | null;
  desired_capacity: number | null;
  /** ISO-8601; the scheduler's index (text order = time order). */
  next_run_time: string;
  created_time: string;
}

/** A scaling policy; `policy` is the JSON of the typed ScalingPolicy. */
export interface ScalingPoliciesTable {
  owner: string;
  group_name: string;
  name: string;
  policy_id: string;
  /** SimpleScaling | StepScaling | TargetTrackingScaling (DescribePolicies' PolicyTypes filter). */
  policy_type: string;
  policy: string;
  created_time: string;
  updated_time: string;
}

/** Every table of the current schema, keyed by table name. */
export interface PhantomDatabase {
  meta: MetaTable;
  users: UsersTable;
  access_keys: AccessKeysTable;
  launch_configurations: LaunchConfigurationsTable;
  groups: GroupsTable;
  instances: InstancesTable;
  activities: ActivitiesTable;
  launch_intents: LaunchIntentsTable;
  cloud_credentials: CloudCredentialsTable;
  sites: SitesTable;
  alarms: AlarmsTable;
  alarm_history: AlarmHistoryTable;
  scheduled_actions: ScheduledActionsTable;
  scaling_policies: ScalingPoliciesTable;
}
