import type { ScalingPolicyRecord } from './scaling-policy.ts';
import type { AlarmHistoryItem, AlarmHistoryQuery, AlarmListQuery, AlarmRecord, AlarmStateChange } from './alarm.ts';
import type {
  AccessKeyRecord,
  ActivityRecord,
  GroupRecord,
  InstanceRecord,
  InstanceSummary,
  CloudCredentialRecord,
  SiteRecord,
  IntentState,
  LaunchIntentRecord,
  LaunchConfigurationRecord,
  LifecycleState,
  ScheduledActionRecord,
  User,
  UserId,
  UserLimits,
} from './records.ts';

/** A page request: records sorted by their key, starting strictly after `after`. */
export interface PageQuery {
  /** Optional. Only records whose key is in this list. */
  names?: string[];
  /** Optional. Exclusive lower bound on the sort key (from a pagination token). */
  after?: string;
  /** Required. At most this many records. */
  limit: number;
}

/** A page of one owner's scheduled actions, sorted by (groupName, name). */
export interface ScheduledActionQuery {
  /** Optional. Only this group's actions. */
  groupName?: string;
  /** Optional. Only actions of these names ([] gives none). */
  names?: string[];
  /** Optional. Only actions whose next run is at or after this instant. */
  from?: Date;
  /** Optional. Only actions whose next run is at or before this instant. */
  to?: Date;
  /** Optional. Exclusive lower bound on (groupName, name), from a pagination token. */
  after?: { groupName: string; name: string };
  /** Required. At most this many actions. */
  limit: number;
}

/** A page of one owner's scaling policies, sorted by (groupName, name). */
export interface ScalingPolicyQuery {
  /** Optional. Only this group's policies. */
  groupName?: string;
  /** Optional. Only policies of these names ([] gives none). */
  names?: readonly string[];
  /** Optional. Only policies of these types ([] gives none). */
  policyTypes?: readonly string[];
  /** Optional. Exclusive lower bound on (groupName, name), from a pagination token. */
  after?: { groupName: string; name: string };
  /** Required. At most this many policies. */
  limit: number;
}

/**
 * The only component that talks to the database. Implementations: SQLite (embedded default)
 * and, later, PostgreSQL; both must pass `store.case.ts`.
 *
 * Conventions for every method:
 * - owned records are always looked up by (owner, key); nothing crosses owners;
 * - `create*` throws PhantomError('AlreadyExists') when the key exists and stores nothing;
 * - `update*` is compare-and-set on `version` and throws PhantomError('Conflict') when stale;
 * - `delete*` returns whether something was deleted (idempotent);
 * - `get*` returns undefined when absent; list results are sorted by key ascending.
 */
export interface Store {
  /** Runs `fn` in one transaction: all of its writes land, or none. Not re-entrant. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;

  /**
   * Required. A cheap token (no table read) that differs from any earlier value once a
   * change may have been committed since: at once for this process's writes, and within a
   * short bounded window (SQLite: 20 ms) for another process's commits. Read caches keep the stamp they were
   * filled under and are valid only while it is unchanged.
   */
  changeStamp(): string;

  /**
   * Required. As {@link changeStamp}, for caches of one owner's records: differs from any earlier
   * value once a write to `owner`'s records may have been committed, or a write no single owner
   * can be named for (users, access keys, sites, metadata), or another process's commit. Writes
   * to other owners' records leave it unchanged. Never throws, never reads a table.
   */
  ownerChangeStamp(owner: UserId): string;

  /**
   * Required. As {@link changeStamp}, for caches of records no owner holds (users, access keys,
   * sites, metadata): differs from any earlier value once such a write may have been committed,
   * or another process's commit. Writes to owners' records (groups, instances, activities, ...)
   * leave it unchanged. Never throws, never reads a table.
   */
  sharedChangeStamp(): string;

  /** Required. Reads a value from the installation metadata table. */
  getMeta(key: string): Promise<string | undefined>;
  /** Required. Inserts or overwrites a metadata value. */
  setMeta(key: string, value: string): Promise<void>;

  createUser(user: User): Promise<void>;
  getUserById(id: UserId): Promise<User | undefined>;
  getUserByName(name: string): Promise<User | undefined>;
  listUsers(): Promise<User[]>;
  setUserLimits(id: UserId, limits: Partial<UserLimits>): Promise<void>;

  createAccessKey(key: AccessKeyRecord): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  listAccessKeys(userId: UserId): Promise<AccessKeyRecord[]>;
  deleteAccessKey(accessKeyId: string): Promise<boolean>;

  createLaunchConfiguration(lc: LaunchConfigurationRecord): Promise<void>;
  getLaunchConfiguration(owner: UserId, name: string): Promise<LaunchConfigurationRecord | undefined>;
  listLaunchConfigurations(owner: UserId, page: PageQuery): Promise<LaunchConfigurationRecord[]>;
  countLaunchConfigurations(owner: UserId): Promise<number>;
  deleteLaunchConfiguration(owner: UserId, name: string): Promise<boolean>;

  createGroup(group: GroupRecord): Promise<void>;
  getGroup(owner: UserId, name: string): Promise<GroupRecord | undefined>;
  listGroups(owner: UserId, page: PageQuery): Promise<GroupRecord[]>;
  /** Groups of every owner (for controllers); sorted by (owner, name). */
  listAllGroups(): Promise<GroupRecord[]>;
  /** Required. Just the keys of every owner's groups, sorted by (owner, name): what a poll needs, without reading whole records. */
  listAllGroupKeys(): Promise<Array<{ owner: UserId; name: string }>>;
  countGroups(owner: UserId): Promise<number>;
  /**
   * Required. The sum of `owner`'s groups' desired capacities, groups being deleted counting 0,
   * leaving out the group named `except` when given (one aggregate query: the instance limit is
   * checked inside every write that raises a desired capacity). Read-only.
   */
  sumDesiredCapacity(owner: UserId, except?: string): Promise<number>;
  /** Required. How many groups every owner holds together (one count query: metrics read it at each scrape). */
  countAllGroups(): Promise<number>;
  /** Compare-and-set on `group.version`; returns the stored record with the bumped version. */
  updateGroup(group: GroupRecord): Promise<GroupRecord>;
  /** Deletes the group and its instances, activities, launch intents and scheduled actions. */
  deleteGroup(owner: UserId, name: string): Promise<boolean>;

  /** Inserts or replaces an instance (keyed by owner + instanceId). */
  putInstance(instance: InstanceRecord): Promise<void>;
  getInstance(owner: UserId, instanceId: string): Promise<InstanceRecord | undefined>;
  /** Instances of one group, or of every group of the owner when `groupName` is absent; sorted by instanceId. */
  listInstances(
    owner: UserId,
    query: { groupName?: string; instanceIds?: string[]; after?: string; limit?: number },
  ): Promise<InstanceRecord[]>;
  /**
   * Instances of several groups of one owner in one query (DescribeAutoScalingGroups' hot
   * path); every requested name is a key of the result, with [] when it has none.
   */
  listInstancesOfGroups(owner: UserId, groupNames: readonly string[]): Promise<Map<string, InstanceRecord[]>>;
  /**
   * Required. What DescribeAutoScalingGroups shows of the instances of several groups of one
   * owner, in one query reading only the shown columns: per group name, sorted by instanceId
   * (by code point); every requested name is a key, with [] when the group has none. Each
   * summary equals the fields of the record `listInstancesOfGroups` returns. Read-only.
   */
  listGroupMembers(owner: UserId, groupNames: readonly string[]): Promise<Map<string, InstanceSummary[]>>;
  deleteInstance(owner: UserId, instanceId: string): Promise<boolean>;
  /**
   * Required. How many instances of every owner are in each (site, lifecycle state), in one
   * grouped count query (metrics read it at each scrape). Only combinations that have
   * instances appear; sorted by site, then state.
   */
  countInstancesBySiteAndState(): Promise<Array<{ site: string; state: LifecycleState; count: number }>>;

  /** Inserts or replaces an activity (keyed by activityId). */
  putActivity(activity: ActivityRecord): Promise<void>;
  /**
   * Activities newest first (by startTime, then activityId). `after` is an opaque cursor
   * returned as `cursorOf(activity)` by the implementation's ordering: `<iso startTime>|<activityId>`.
   */
  listActivities(
    owner: UserId,
    query: { groupName?: string; activityIds?: string[]; after?: string; limit: number },
  ): Promise<ActivityRecord[]>;

  /** Inserts a launch intent. @throws PhantomError AlreadyExists when the id exists (nothing written). */
  createIntent(intent: LaunchIntentRecord): Promise<void>;
  getIntent(intentId: string): Promise<LaunchIntentRecord | undefined>;
  /**
   * Intents matching every given filter (all owners when `owner` is absent: the controller's
   * view), oldest first (createdTime, then intentId).
   */
  listIntents(query: {
    owner?: UserId;
    groupName?: string;
    site?: string;
    states?: readonly IntentState[];
  }): Promise<LaunchIntentRecord[]>;
  /** Overwrites a stored intent (matched by intentId and owner); returns false when there is none. */
  updateIntent(intent: LaunchIntentRecord): Promise<boolean>;
  deleteIntent(intentId: string): Promise<boolean>;

  /** Inserts or replaces the owner's credentials for a site. */
  putCredential(credential: CloudCredentialRecord): Promise<void>;
  getCredential(owner: UserId, site: string): Promise<CloudCredentialRecord | undefined>;
  /** The owner's credentials, sorted by site. */
  listCredentials(owner: UserId): Promise<CloudCredentialRecord[]>;
  deleteCredential(owner: UserId, site: string): Promise<boolean>;

  /**
   * Required. Inserts or replaces a CLI-added site (keyed by name), keeping the original
   * created time on replace. Idempotent. Settings are stored as given (validate them first).
   */
  putSite(site: SiteRecord): Promise<void>;
  /** Required. The stored site of that name, or undefined. */
  getSite(name: string): Promise<SiteRecord | undefined>;
  /** Required. Every stored site, sorted by name. */
  listSites(): Promise<SiteRecord[]>;
  /** Required. Deletes a stored site; false when there was none (idempotent). Users' credentials for it are kept. */
  deleteSite(name: string): Promise<boolean>;

  /**
   * Required. Creates the alarm, or replaces the definition, ARN and owning policy of the
   * owner's alarm of that name keeping its state (PutMetricAlarm). Returns true when created.
   */
  putAlarm(alarm: AlarmRecord): Promise<boolean>;
  /** Required. The owner's alarm of that name, or undefined. */
  getAlarm(owner: UserId, name: string): Promise<AlarmRecord | undefined>;
  /** Required. One page of the owner's alarms in name order (code point). */
  listAlarms(owner: UserId, query: AlarmListQuery): Promise<AlarmRecord[]>;
  /** Required. Every owner's alarms in (owner, name) order, `limit` after `after` (exclusive): the evaluator's pages. */
  listAllAlarms(after: { owner: UserId; name: string } | undefined, limit: number): Promise<AlarmRecord[]>;
  /** Required. How many alarms the owner has (for the per-user limit). */
  countAlarms(owner: UserId): Promise<number>;
  /** Required. Deletes those of the named alarms that exist; returns their names. Idempotent. */
  deleteAlarms(owner: UserId, names: readonly string[]): Promise<string[]>;
  /** Required. Sets the alarm's state, reason and time; false when there is no such alarm. */
  setAlarmState(owner: UserId, name: string, change: AlarmStateChange): Promise<boolean>;
  /** Required. Records when the alarm last invoked its actions; false when there is no such alarm. */
  markAlarmActed(owner: UserId, name: string, at: Date): Promise<boolean>;
  /** Required. Appends history items (DescribeAlarmHistory). */
  addAlarmHistory(items: readonly AlarmHistoryItem[]): Promise<void>;
  /**
   * Required. One page of the owner's history, newest first; each item carries `cursor`, which
   * as `before` continues after it.
   */
  listAlarmHistory(owner: UserId, query: AlarmHistoryQuery): Promise<Array<AlarmHistoryItem & { cursor: string }>>;
  /** Required. Deletes every owner's history older than `before`; returns how many items went. */
  pruneAlarmHistory(before: Date): Promise<number>;

  /**
   * Required. Inserts the scheduled action, or replaces every field of the owner's action of the
   * same (groupName, name). Idempotent. Stores what it is given: the service checks the group
   * exists, the limits and the times first.
   */
  putScheduledAction(action: ScheduledActionRecord): Promise<void>;
  /** Required. The owner's action of that group and name, or undefined. Read-only. */
  getScheduledAction(owner: UserId, groupName: string, name: string): Promise<ScheduledActionRecord | undefined>;
  /** Required. One page of the owner's actions matching every given filter, sorted by (groupName, name). Read-only. */
  listScheduledActions(owner: UserId, query: ScheduledActionQuery): Promise<ScheduledActionRecord[]>;
  /** Required. How many actions the owner's group holds (one count query). Read-only. */
  countScheduledActions(owner: UserId, groupName: string): Promise<number>;
  /** Required. Deletes one action; false when there was none (idempotent). */
  deleteScheduledAction(owner: UserId, groupName: string, name: string): Promise<boolean>;
  /**
   * Required. Actions of every owner whose next run is at or before `now`, earliest first (then
   * owner, group, name), at most `limit`: one indexed range read (the scheduler's poll), never a
   * scan of the groups. Read-only.
   */
  listDueScheduledActions(now: Date, limit: number): Promise<ScheduledActionRecord[]>;
  /**
   * Required. Compare-and-set on the next run: when the action's next run is still `due`, moves it
   * to `next`, or deletes the action when `next` is undefined, and returns true; returns false
   * (writing nothing) when the action is gone or its next run is no longer `due` (it already ran,
   * or was replaced). Call it in the transaction that applies the run, so a run is applied once.
   */
  finishScheduledRun(
    action: Pick<ScheduledActionRecord, 'owner' | 'groupName' | 'name'>,
    due: Date,
    next: Date | undefined,
  ): Promise<boolean>;

  /**
   * Required. Inserts the scaling policy, or replaces every field of the owner's policy of the same
   * (groupName, policy name). Idempotent. Stores what it is given: the service checks the group,
   * the policy's rules and the 50-per-group quota first, and keeps `policyId` on a replace.
   */
  putScalingPolicy(record: ScalingPolicyRecord): Promise<void>;
  /** Required. The owner's policy of that group and name, or undefined. Read-only. */
  getScalingPolicy(owner: UserId, groupName: string, name: string): Promise<ScalingPolicyRecord | undefined>;
  /** Required. The owner's policy of that id (the uuid in its ARN), or undefined: one indexed read. Read-only. */
  getScalingPolicyById(owner: UserId, policyId: string): Promise<ScalingPolicyRecord | undefined>;
  /** Required. One page of the owner's policies matching every given filter, sorted by (groupName, name). Read-only. */
  listScalingPolicies(owner: UserId, query: ScalingPolicyQuery): Promise<ScalingPolicyRecord[]>;
  /** Required. How many policies the owner's group holds (one count query). Read-only. */
  countScalingPolicies(owner: UserId, groupName: string): Promise<number>;
  /** Required. Deletes one policy; false when there was none (idempotent). Policies also go with their group. */
  deleteScalingPolicy(owner: UserId, groupName: string, name: string): Promise<boolean>;

  /** Releases the database. */
  close(): Promise<void>;
}
