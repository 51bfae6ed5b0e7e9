import { activitiesGroupName } from '../../services/addressing.ts';
import { defineAction } from '../query/action.ts';
import { pageSize, paginate } from '../query/pagination.ts';
import { bool, int, list, nameOrArn, opt, str, struct, xmlString } from '../query/shape.ts';
import { activityXml } from './instances.ts';

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
    const groupName = await activitiesGroupName(ctx.deps.store, ctx.user.id, input);
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
