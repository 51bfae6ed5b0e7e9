import type {
  AccessKeyRecord,
  ActivityRecord,
  CloudCredentialRecord,
  GroupRecord,
  InstanceRecord,
  InstanceSummary,
  LaunchIntentRecord,
  LaunchConfigurationRecord,
  LifecycleState,
  ScheduledActionRecord,
  SiteRecord,
  User,
  UserId,
  UserLimits,
} from '../../contracts/records.ts';
import type {
  AlarmHistoryItem,
  AlarmHistoryQuery,
  AlarmListQuery,
  AlarmRecord,
  AlarmStateChange,
} from '../../contracts/alarm.ts';
import type { PageQuery, ScalingPolicyQuery, ScheduledActionQuery, Store } from '../../contracts/store.ts';
import type { ScalingPolicyRecord } from '../../contracts/scaling-policy.ts';
import * as policies from './scaling-policies.ts';
import * as alarms from './alarms.ts';
import * as accounts from './accounts.ts';
import * as activities from './activities.ts';
import * as credentials from './credentials.ts';
import * as groups from './groups.ts';
import * as instances from './instances.ts';
import * as intents from './intents.ts';
import * as lcs from './launch-configs.ts';
import * as schedules from './scheduled-actions.ts';
import * as sites from './sites.ts';
import { ChangeStampPlugin, ChangeStamps } from './change-stamps.ts';
import { rootScope, type Db, type SqlScope } from './scope.ts';

/**
 * A `Store` over any Kysely database holding the Phantom schema (SQLite today, PostgreSQL
 * later): the query modules are dialect-free, so a new backend only supplies the Kysely
 * instance and runs the migrations.
 *
 * Nothing is cached between calls (another process may write the same database). Every write
 * statement is counted into the change stamps where it executes (ChangeStampPlugin).
 * Inside `transaction(fn)`, use only the `tx` Store: on SQLite the one connection is held by
 * the transaction, so a call on the outer Store from inside `fn` waits for `fn` forever.
 * A nested `tx.transaction(inner)` runs under a savepoint: a throwing `inner` undoes only
 * its own writes.
 *
 * @param release closes the underlying database (called once by `close()`).
 */
export function createSqlStore(db: Db, release: () => Promise<void>, externalVersion: () => number | bigint): Store {
  const state = { closed: false };
  const stamps = new ChangeStamps(externalVersion);
  return new SqlStore(
    rootScope(db.withPlugin(new ChangeStampPlugin(stamps))),
    async () => {
      if (state.closed) return;
      state.closed = true;
      await release();
    },
    stamps,
    false,
  );
}

class SqlStore implements Store {
  constructor(
    private readonly scope: SqlScope,
    private readonly release: () => Promise<void>,
    private readonly stamps: ChangeStamps,
    /** True for a transaction's Store: its own transaction() is a savepoint. */
    private readonly inTransaction: boolean,
  ) {}

  changeStamp(): string {
    return this.stamps.store();
  }

  sharedChangeStamp(): string {
    return this.stamps.shared();
  }

  ownerChangeStamp(owner: UserId): string {
    return this.stamps.owner(owner);
  }

  private get db(): Db {
    return this.scope.db;
  }

  async transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T> {
    const inner = (scope: SqlScope) => fn(new SqlStore(scope, rejectClose, this.stamps, true));
    if (this.inTransaction) return this.scope.transaction(inner);
    try {
      return await this.scope.transaction((scope) => {
        this.stamps.beginTransaction();
        return inner(scope);
      });
    } finally {
      this.stamps.endTransaction();
    }
  }

  async getMeta(key: string): Promise<string | undefined> {
    return accounts.getMeta(this.db, key);
  }
  async setMeta(key: string, value: string): Promise<void> {
    return accounts.setMeta(this.db, key, value);
  }

  async createUser(user: User): Promise<void> {
    return accounts.createUser(this.db, user);
  }
  async getUserById(id: UserId): Promise<User | undefined> {
    return accounts.getUserById(this.db, id);
  }
  async getUserByName(name: string): Promise<User | undefined> {
    return accounts.getUserByName(this.db, name);
  }
  async listUsers(): Promise<User[]> {
    return accounts.listUsers(this.db);
  }
  async setUserLimits(id: UserId, limits: Partial<UserLimits>): Promise<void> {
    return accounts.setUserLimits(this.db, id, limits);
  }

  async createAccessKey(key: AccessKeyRecord): Promise<void> {
    return accounts.createAccessKey(this.db, key);
  }
  async getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined> {
    return accounts.getAccessKey(this.db, accessKeyId);
  }
  async listAccessKeys(userId: UserId): Promise<AccessKeyRecord[]> {
    return accounts.listAccessKeys(this.db, userId);
  }
  async deleteAccessKey(accessKeyId: string): Promise<boolean> {
    return accounts.deleteAccessKey(this.db, accessKeyId);
  }

  async createLaunchConfiguration(lc: LaunchConfigurationRecord): Promise<void> {
    return lcs.createLaunchConfiguration(this.db, lc);
  }
  async getLaunchConfiguration(owner: UserId, name: string): Promise<LaunchConfigurationRecord | undefined> {
    return lcs.getLaunchConfiguration(this.db, owner, name);
  }
  async listLaunchConfigurations(owner: UserId, page: PageQuery): Promise<LaunchConfigurationRecord[]> {
    return lcs.listLaunchConfigurations(this.db, owner, page);
  }
  async countLaunchConfigurations(owner: UserId): Promise<number> {
    return lcs.countLaunchConfigurations(this.db, owner);
  }
  async deleteLaunchConfiguration(owner: UserId, name: string): Promise<boolean> {
    return lcs.deleteLaunchConfiguration(this.db, owner, name);
  }

  async createGroup(group: GroupRecord): Promise<void> {
    return groups.createGroup(this.db, group);
  }
  async getGroup(owner: UserId, name: string): Promise<GroupRecord | undefined> {
    return groups.getGroup(this.db, owner, name);
  }
  async listGroups(owner: UserId, page: PageQuery): Promise<GroupRecord[]> {
    return groups.listGroups(this.db, owner, page);
  }
  async listAllGroups(): Promise<GroupRecord[]> {
    return groups.listAllGroups(this.db);
  }
  async listAllGroupKeys(): Promise<Array<{ owner: UserId; name: string }>> {
    return groups.listAllGroupKeys(this.db);
  }
  async countGroups(owner: UserId): Promise<number> {
    return groups.countGroups(this.db, owner);
  }
  async sumDesiredCapacity(owner: UserId, except?: string): Promise<number> {
    return groups.sumDesiredCapacity(this.db, owner, except);
  }
  async countAllGroups(): Promise<number> {
    return groups.countAllGroups(this.db);
  }
  async updateGroup(group: GroupRecord): Promise<GroupRecord> {
    return groups.updateGroup(this.db, group);
  }
  async deleteGroup(owner: UserId, name: string): Promise<boolean> {
    return this.scope.atomic((db) => groups.deleteGroup(db, owner, name));
  }

  async putInstance(instance: InstanceRecord): Promise<void> {
    return instances.putInstance(this.db, instance);
  }
  async getInstance(owner: UserId, instanceId: string): Promise<InstanceRecord | undefined> {
    return instances.getInstance(this.db, owner, instanceId);
  }
  async listInstances(owner: UserId, query: Parameters<Store['listInstances']>[1]): Promise<InstanceRecord[]> {
    return instances.listInstances(this.db, owner, query);
  }
  async countInstancesBySiteAndState(): Promise<Array<{ site: string; state: LifecycleState; count: number }>> {
    return instances.countInstancesBySiteAndState(this.db);
  }
  async listInstancesOfGroups(owner: UserId, groupNames: readonly string[]): Promise<Map<string, InstanceRecord[]>> {
    return instances.listInstancesOfGroups(this.db, owner, groupNames);
  }
  async listGroupMembers(owner: UserId, groupNames: readonly string[]): Promise<Map<string, InstanceSummary[]>> {
    return instances.listGroupMembers(this.db, owner, groupNames);
  }
  async deleteInstance(owner: UserId, instanceId: string): Promise<boolean> {
    return instances.deleteInstance(this.db, owner, instanceId);
  }

  async putActivity(activity: ActivityRecord): Promise<void> {
    return activities.putActivity(this.db, activity);
  }
  async listActivities(owner: UserId, query: Parameters<Store['listActivities']>[1]): Promise<ActivityRecord[]> {
    return activities.listActivities(this.db, owner, query);
  }

  async createIntent(intent: LaunchIntentRecord): Promise<void> {
    return intents.createIntent(this.db, intent);
  }
  async getIntent(intentId: string): Promise<LaunchIntentRecord | undefined> {
    return intents.getIntent(this.db, intentId);
  }
  async listIntents(query: Parameters<Store['listIntents']>[0]): Promise<LaunchIntentRecord[]> {
    return intents.listIntents(this.db, query);
  }
  async updateIntent(intent: LaunchIntentRecord): Promise<boolean> {
    return intents.updateIntent(this.db, intent);
  }
  async deleteIntent(intentId: string): Promise<boolean> {
    return intents.deleteIntent(this.db, intentId);
  }

  async putCredential(credential: CloudCredentialRecord): Promise<void> {
    return credentials.putCredential(this.db, credential);
  }
  async getCredential(owner: UserId, site: string): Promise<CloudCredentialRecord | undefined> {
    return credentials.getCredential(this.db, owner, site);
  }
  async listCredentials(owner: UserId): Promise<CloudCredentialRecord[]> {
    return credentials.listCredentials(this.db, owner);
  }
  async deleteCredential(owner: UserId, site: string): Promise<boolean> {
    return credentials.deleteCredential(this.db, owner, site);
  }

  async putSite(site: SiteRecord): Promise<void> {
    return sites.putSite(this.db, site);
  }
  async getSite(name: string): Promise<SiteRecord | undefined> {
    return sites.getSite(this.db, name);
  }
  async listSites(): Promise<SiteRecord[]> {
    return sites.listSites(this.db);
  }
  async deleteSite(name: string): Promise<boolean> {
    return sites.deleteSite(this.db, name);
  }

  async putAlarm(alarm: AlarmRecord): Promise<boolean> {
    return alarms.putAlarm(this.db, alarm);
  }
  async getAlarm(owner: UserId, name: string): Promise<AlarmRecord | undefined> {
    return alarms.getAlarm(this.db, owner, name);
  }
  async listAlarms(owner: UserId, query: AlarmListQuery): Promise<AlarmRecord[]> {
    return alarms.listAlarms(this.db, owner, query);
  }
  async listAllAlarms(after: { owner: UserId; name: string } | undefined, limit: number): Promise<AlarmRecord[]> {
    return alarms.listAllAlarms(this.db, after, limit);
  }
  async countAlarms(owner: UserId): Promise<number> {
    return alarms.countAlarms(this.db, owner);
  }
  async deleteAlarms(owner: UserId, names: readonly string[]): Promise<string[]> {
    return alarms.deleteAlarms(this.db, owner, names);
  }
  async setAlarmState(owner: UserId, name: string, change: AlarmStateChange): Promise<boolean> {
    return alarms.setAlarmState(this.db, owner, name, change);
  }
  async markAlarmActed(owner: UserId, name: string, at: Date): Promise<boolean> {
    return alarms.markAlarmActed(this.db, owner, name, at);
  }
  async addAlarmHistory(items: readonly AlarmHistoryItem[]): Promise<void> {
    return alarms.addAlarmHistory(this.db, items);
  }
  async listAlarmHistory(
    owner: UserId,
    query: AlarmHistoryQuery,
  ): Promise<Array<AlarmHistoryItem & { cursor: string }>> {
    return alarms.listAlarmHistory(this.db, owner, query);
  }
  async pruneAlarmHistory(before: Date): Promise<number> {
    return alarms.pruneAlarmHistory(this.db, before);
  }
  async putScheduledAction(action: ScheduledActionRecord): Promise<void> {
    return schedules.putScheduledAction(this.db, action);
  }
  async getScheduledAction(owner: UserId, groupName: string, name: string): Promise<ScheduledActionRecord | undefined> {
    return schedules.getScheduledAction(this.db, owner, groupName, name);
  }
  async listScheduledActions(owner: UserId, query: ScheduledActionQuery): Promise<ScheduledActionRecord[]> {
    return schedules.listScheduledActions(this.db, owner, query);
  }
  async countScheduledActions(owner: UserId, groupName: string): Promise<number> {
    return schedules.countScheduledActions(this.db, owner, groupName);
  }
  async deleteScheduledAction(owner: UserId, groupName: string, name: string): Promise<boolean> {
    return schedules.deleteScheduledAction(this.db, owner, groupName, name);
  }
  async listDueScheduledActions(now: Date, limit: number): Promise<ScheduledActionRecord[]> {
    return schedules.listDueScheduledActions(this.db, now, limit);
  }
  async finishScheduledRun(
    action: Pick<ScheduledActionRecord, 'owner' | 'groupName' | 'name'>,
    due: Date,
    next: Date | undefined,
  ): Promise<boolean> {
    return schedules.finishScheduledRun(this.db, action, due, next);
  }
  async putScalingPolicy(record: ScalingPolicyRecord): Promise<void> {
    return policies.putScalingPolicy(this.db, record);
  }
  async getScalingPolicy(owner: UserId, groupName: string, name: string): Promise<ScalingPolicyRecord | undefined> {
    return policies.getScalingPolicy(this.db, owner, groupName, name);
  }
  async getScalingPolicyById(owner: UserId, policyId: string): Promise<ScalingPolicyRecord | undefined> {
    return policies.getScalingPolicyById(this.db, owner, policyId);
  }
  async listScalingPolicies(owner: UserId, query: ScalingPolicyQuery): Promise<ScalingPolicyRecord[]> {
    return policies.listScalingPolicies(this.db, owner, query);
  }
  async countScalingPolicies(owner: UserId, groupName: string): Promise<number> {
    return policies.countScalingPolicies(this.db, owner, groupName);
  }
  async deleteScalingPolicy(owner: UserId, groupName: string, name: string): Promise<boolean> {
    return policies.deleteScalingPolicy(this.db, owner, groupName, name);
  }

  async close(): Promise<void> {
    return this.release();
  }
}

/** `close()` on a transaction's Store: a programming error. */
const rejectClose = async (): Promise<void> => {
  throw new Error('close() the Store, not a transaction of it');
};

export { EXTERNAL_CHANGE_WINDOW_MS } from './change-stamps.ts';
