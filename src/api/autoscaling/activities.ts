import type { UserId } from '../../contracts/records.ts';
import type { Store } from '../../contracts/store.ts';
import { addressOf } from '../../domain/arn.ts';
import { findGroup } from '../../services/addressing.ts';
import { groupNotFound } from '../../services/deps.ts';
import { defineAction } from '../query/action.ts';
import { pageSize, paginate } from '../query/pagination.ts';
import { bool, int, list, nameOrArn, opt, str, struct, xmlString } from '../query/shape.ts';
import { activityXml } from './instances.ts';

/**
 * The group whose activities are asked for: undefined for all, null for none. A deleted
 * group (IncludeDeletedGroups) is found by name only: its ARN can no longer be checked.
 * @throws PhantomError NotFound for an absent group, unless deleted groups are included.
 */
async function activitiesGroup(
  store: Store,
  owner: UserId,
  input: { AutoScalingGroupName?: string; IncludeDeletedGroups?: boolean },
): Promise<string | null | undefined> {
  const ref = input.AutoScalingGroupName;
  if (ref === undefined) return undefined;
  const group = await findGroup(store, owner, ref);
  if (group) return group.name;
  if (!input.IncludeDeletedGroups) throw groupNotFound(ref);
  const address = addressOf(ref, 'autoScalingGroup');
  return address && address.arn === undefined ? address.name : null;
}

export const describeActivitiesAction = defineAction({
  name: 'DescribeScalingActivities',
  readOnly: true,
  input: struct({
    ActivityIds: opt(list(xmlString(255), 50)),
    AutoScalingGroupName: opt(nameOrArn()),
    IncludeDeletedGroups: opt(bool()),
    MaxRecords: opt(int()),
    NextToken: opt(str({ max: 4096 })),
  }),
  async handle(ctx, input) {
    const limit = pageSize(input.MaxRecords, 100, 100);
    const groupName = await activitiesGroup(ctx.deps.store, ctx.user.id, input);
    if (groupName === null) return { Activities: [] };
    const ids = input.ActivityIds?.length ? input.ActivityIds : undefined;
    const scope = `act|${ctx.user.id}|${JSON.stringify([groupName ?? '', ids ?? []])}`;
    const after = input.NextToken === undefined ? undefined : ctx.deps.pageTokens.decode(scope, input.NextToken);
    const rows = await ctx.deps.store.listActivities(ctx.user.id, {
      groupName,
      activityIds: ids,
      after,
      limit: limit + 1,
    });
    const page = paginate(
      rows,
      limit,
      (a) => `${a.startTime.toISOString()}|${a.activityId}`,
      ctx.deps.pageTokens,
      scope,
    );
    return { Activities: page.items.map(activityXml), NextToken: page.nextToken };
  },
});
