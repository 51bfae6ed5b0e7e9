import type { ScheduledActionRecord } from '../../contracts/records.ts';
import { findGroup } from '../../services/addressing.ts';
import { groupNotFound } from '../../services/deps.ts';
import {
  batchDeleteScheduledActions,
  batchPutScheduledActions,
  deleteScheduledAction,
  putScheduledAction,
  type ScheduledActionFailure,
  type ScheduledActionInput,
} from '../../services/scheduled-actions.ts';
import { defineAction } from '../query/action.ts';
import { ApiError, toApiError } from '../query/errors.ts';
import { pageSize, paginate } from '../query/pagination.ts';
import { int, list, nameOrArn, opt, req, str, struct, xmlString } from '../query/shape.ts';
import type { XmlValue } from '../query/xml.ts';

/**
 * ISO-8601 as SDKs send timestamps (`2021-06-01T00:00:00Z`; fractions and `+hh:mm` offsets
 * allowed). A time without a zone (boto 2 sends `datetime.isoformat()`) is read as UTC.
 */
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** Whether the `YYYY-MM-DD` a timestamp starts with is a day of the calendar (Date rolls 02-30 over to March). */
function realDay(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * A timestamp parameter as a Date.
 * @throws ApiError ValidationError naming the parameter when it is not an ISO-8601 instant.
 */
function timestamp(parameter: string, value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const match = ISO_8601.exec(value);
  const date = match && realDay(value) ? new Date(match[3] === undefined ? `${value}Z` : value) : undefined;
  if (!date || Number.isNaN(date.getTime()) || date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 9999)
    throw new ApiError(
      'ValidationError',
      `Invalid value for ${parameter}: '${value.length > 64 ? `${value.slice(0, 64)}…` : value}' is not an ISO-8601 time (e.g. 2021-06-01T00:00:00Z).`,
    );
  return date;
}

const actionFields = {
  ScheduledActionName: req(xmlString(255)),
  StartTime: opt(str({ max: 64 })),
  EndTime: opt(str({ max: 64 })),
  Recurrence: opt(xmlString(255)),
  MinSize: opt(int({ min: 0 })),
  MaxSize: opt(int({ min: 0 })),
  DesiredCapacity: opt(int({ min: 0 })),
  TimeZone: opt(xmlString(255)),
};

type ActionFields = {
  ScheduledActionName: string;
  StartTime?: string;
  EndTime?: string;
  Recurrence?: string;
  MinSize?: number;
  MaxSize?: number;
  DesiredCapacity?: number;
  TimeZone?: string;
  Time?: string;
};

/** AWS input names to the service's; `Time` (no longer used by AWS) stands for StartTime. */
function actionInput(input: ActionFields): ScheduledActionInput {
  const start = timestamp('StartTime', input.StartTime);
  const time = timestamp('Time', input.Time);
  if (start && time && start.getTime() !== time.getTime())
    throw new ApiError('ValidationError', 'Time and StartTime, when both given, must be the same instant.');
  return {
    name: input.ScheduledActionName,
    startTime: start ?? time,
    endTime: timestamp('EndTime', input.EndTime),
    recurrence: input.Recurrence,
    timeZone: input.TimeZone,
    minSize: input.MinSize,
    maxSize: input.MaxSize,
    desiredCapacity: input.DesiredCapacity,
  };
}

/** The AWS `ScheduledUpdateGroupAction` member: StartTime and Time show the next run. */
export const scheduledActionXml = (a: ScheduledActionRecord): XmlValue => ({
  AutoScalingGroupName: a.groupName,
  ScheduledActionName: a.name,
  ScheduledActionARN: a.arn,
  Time: a.nextRunTime,
  StartTime: a.nextRunTime,
  EndTime: a.endTime,
  Recurrence: a.recurrence,
  MinSize: a.minSize,
  MaxSize: a.maxSize,
  DesiredCapacity: a.desiredCapacity,
  TimeZone: a.timeZone,
});

/** A batch item's failure as AWS reports it (ErrorCode is the AWS error code). */
const failureXml = (f: ScheduledActionFailure): XmlValue => {
  const error = toApiError(f.error);
  return { ScheduledActionName: f.name, ErrorCode: error.code, ErrorMessage: error.message };
};

export const putScheduledActionAction = defineAction({
  name: 'PutScheduledUpdateGroupAction',
  input: struct({ ...actionFields, AutoScalingGroupName: req(nameOrArn()), Time: opt(str({ max: 64 })) }),
  async handle(ctx, input) {
    const { effect } = await putScheduledAction(ctx.deps, ctx.user, input.AutoScalingGroupName, actionInput(input));
    return { effect };
  },
});

export const batchPutScheduledActionsAction = defineAction({
  name: 'BatchPutScheduledUpdateGroupAction',
  input: struct({
    AutoScalingGroupName: req(nameOrArn()),
    ScheduledUpdateGroupActions: req(list(struct(actionFields), 50)),
  }),
  async handle(ctx, input) {
    const items = input.ScheduledUpdateGroupActions.map(actionInput);
    const { failed, effect } = await batchPutScheduledActions(ctx.deps, ctx.user, input.AutoScalingGroupName, items);
    return { result: { FailedScheduledUpdateGroupActions: failed.map(failureXml) }, effect };
  },
});

export const deleteScheduledActionAction = defineAction({
  name: 'DeleteScheduledAction',
  input: struct({ AutoScalingGroupName: req(nameOrArn()), ScheduledActionName: req(xmlString(255)) }),
  async handle(ctx, input) {
    return deleteScheduledAction(ctx.deps, ctx.user, input.AutoScalingGroupName, input.ScheduledActionName);
  },
});

export const batchDeleteScheduledActionsAction = defineAction({
  name: 'BatchDeleteScheduledAction',
  input: struct({
    AutoScalingGroupName: req(nameOrArn()),
    ScheduledActionNames: req(list(xmlString(255), 50)),
  }),
  async handle(ctx, input) {
    const { failed, effect } = await batchDeleteScheduledActions(
      ctx.deps,
      ctx.user,
      input.AutoScalingGroupName,
      input.ScheduledActionNames,
    );
    return { result: { FailedScheduledActions: failed.map(failureXml) }, effect };
  },
});

export const describeScheduledActionsAction = defineAction({
  name: 'DescribeScheduledActions',
  readOnly: true,
  input: struct({
    AutoScalingGroupName: opt(nameOrArn()),
    ScheduledActionNames: opt(list(xmlString(255), 50)),
    StartTime: opt(str({ max: 64 })),
    EndTime: opt(str({ max: 64 })),
    NextToken: opt(str({ max: 4096 })),
    MaxRecords: opt(int()),
  }),
  async handle(ctx, input) {
    const limit = pageSize(input.MaxRecords, 50, 100);
    let groupName: string | undefined;
    if (input.AutoScalingGroupName !== undefined) {
      const group = await findGroup(ctx.deps.store, ctx.user.id, input.AutoScalingGroupName);
      if (!group) throw groupNotFound(input.AutoScalingGroupName);
      groupName = group.name;
    }
    const names = input.ScheduledActionNames?.length ? input.ScheduledActionNames : undefined;
    // AWS: StartTime and EndTime are ignored when names are given.
    const from = names ? undefined : timestamp('StartTime', input.StartTime);
    const to = names ? undefined : timestamp('EndTime', input.EndTime);
    const scope = `sched|${ctx.user.id}|${JSON.stringify([groupName ?? '', names ?? [], from ?? '', to ?? ''])}`;
    const token = input.NextToken === undefined ? undefined : ctx.deps.pageTokens.decode(scope, input.NextToken);
    const after = token === undefined ? undefined : (JSON.parse(token) as [string, string]);
    const rows = await ctx.deps.store.listScheduledActions(ctx.user.id, {
      groupName,
      names,
      from,
      to,
      after: after && { groupName: after[0], name: after[1] },
      limit: limit + 1,
    });
    const page = paginate(rows, limit, (a) => JSON.stringify([a.groupName, a.name]), ctx.deps.pageTokens, scope);
    return { ScheduledUpdateGroupActions: page.items.map(scheduledActionXml), NextToken: page.nextToken };
  },
});
