import type { AlarmHistoryType, AlarmRecord, AlarmState } from '../../contracts/alarm.ts';
import type { PutMetricAlarmInput } from '../../domain/alarm.ts';
import { deleteAlarms, putMetricAlarm, setAlarmState } from '../../services/alarms.ts';
import type { XmlValue } from '../query/xml.ts';
import { NAMESPACE_RULE, STANDARD_UNITS, type CloudWatchAction, type CloudWatchContext } from './action.ts';
import { CwError, invalidValue, missing } from './errors.ts';
import type { InputReader } from './input.ts';

type Input = Record<string, unknown>;

const STATES: readonly AlarmState[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
const HISTORY_TYPES: readonly AlarmHistoryType[] = ['ConfigurationUpdate', 'StateUpdate', 'Action'];
/** DescribeAlarms and DescribeAlarmHistory: MaxRecords 1–100, default 50 (as AWS's). */
const MAX_RECORDS = 100;

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null;
  } catch {
    return false;
  }
}

/** The services an alarm action needs, from its context. */
function services(ctx: CloudWatchContext) {
  if (!ctx.services) throw new CwError('InternalServiceError', 'Alarms are not available on this server.');
  return ctx.services;
}

function strings(r: InputReader, input: Input, name: string, max: number, length: number): string[] | undefined {
  return r.list(input, name, name, max)?.map((v, i) => {
    if (typeof v !== 'string') throw invalidValue(`The parameter ${name}.member.${i + 1} must be a string.`);
    if (v.length < 1 || v.length > length)
      throw invalidValue(`The parameter ${name}.member.${i + 1} must be 1 to ${length} characters long.`);
    return v;
  });
}

/** PutMetricAlarm's members, typed (the rules themselves are the domain's). */
function readAlarmInput(r: InputReader, input: Input): PutMetricAlarmInput {
  for (const unsupported of ['Metrics', 'ThresholdMetricId', 'Tags'] as const)
    if (input[unsupported] !== undefined && input[unsupported] !== null)
      throw invalidValue(`${unsupported} is not supported by Phantom's CloudWatch.`);
  const optional = <T>(name: string, value: T | undefined) => (value === undefined ? {} : { [name]: value });
  const dimensions = r.structs(input, 'Dimensions', 'Dimensions', 30)?.map((d, i) => ({
    Name: r.requiredString(d, 'Name', `Dimensions.member.${i + 1}.Name`, { min: 1, max: 255 }),
    Value: r.requiredString(d, 'Value', `Dimensions.member.${i + 1}.Value`, { min: 1, max: 1024 }),
  }));
  const evaluationPeriods = r.integer(input, 'EvaluationPeriods', 'EvaluationPeriods');
  if (evaluationPeriods === undefined) throw missing('EvaluationPeriods');
  return {
    AlarmName: r.requiredString(input, 'AlarmName', 'AlarmName', { min: 1, max: 255 }),
    EvaluationPeriods: evaluationPeriods,
    ComparisonOperator: r.requiredString(input, 'ComparisonOperator', 'ComparisonOperator', { max: 64 }),
    ...optional('AlarmDescription', r.string(input, 'AlarmDescription', 'AlarmDescription', { max: 1024 })),
    ...optional('MetricName', r.string(input, 'MetricName', 'MetricName', { min: 1, max: 255 })),
    ...optional('Namespace', r.string(input, 'Namespace', 'Namespace', NAMESPACE_RULE)),
    ...optional('Statistic', r.string(input, 'Statistic', 'Statistic', { max: 64 })),
    ...optional('ExtendedStatistic', r.string(input, 'ExtendedStatistic', 'ExtendedStatistic', { max: 64 })),
    ...optional('Dimensions', dimensions),
    ...optional('Period', r.integer(input, 'Period', 'Period')),
    ...optional('Unit', r.string(input, 'Unit', 'Unit', { enum: STANDARD_UNITS })),
    ...optional('DatapointsToAlarm', r.integer(input, 'DatapointsToAlarm', 'DatapointsToAlarm')),
    ...optional('Threshold', r.number(input, 'Threshold', 'Threshold')),
    ...optional('TreatMissingData', r.string(input, 'TreatMissingData', 'TreatMissingData', { max: 255 })),
    ...optional('ActionsEnabled', r.boolean(input, 'ActionsEnabled', 'ActionsEnabled')),
    ...optional('AlarmActions', strings(r, input, 'AlarmActions', 5, 1024)),
    ...optional('OKActions', strings(r, input, 'OKActions', 5, 1024)),
    ...optional('InsufficientDataActions', strings(r, input, 'InsufficientDataActions', 5, 1024)),
  } as PutMetricAlarmInput;
}

export const putMetricAlarmAction: CloudWatchAction = {
  name: 'PutMetricAlarm',
  async handle(ctx, input, r) {
    await putMetricAlarm(services(ctx), ctx.user, readAlarmInput(r, input));
    return undefined;
  },
};

/** An alarm as DescribeAlarms shows it (MetricAlarm). */
export function alarmOut(a: AlarmRecord): XmlValue {
  const d = a.definition;
  return {
    AlarmName: d.name,
    AlarmArn: a.arn,
    AlarmDescription: d.description,
    AlarmConfigurationUpdatedTimestamp: a.configurationUpdatedTime,
    ActionsEnabled: d.actionsEnabled,
    OKActions: [...d.okActions],
    AlarmActions: [...d.alarmActions],
    InsufficientDataActions: [...d.insufficientDataActions],
    StateValue: a.state,
    StateReason: a.stateReason,
    StateReasonData: a.stateReasonData,
    StateUpdatedTimestamp: a.stateUpdatedTime,
    MetricName: d.metric.metricName,
    Namespace: d.metric.namespace,
    Statistic: d.metric.statistic,
    Dimensions: d.metric.dimensions.map((x) => ({ Name: x.name, Value: x.value })),
    Period: d.period,
    Unit: d.metric.unit,
    EvaluationPeriods: d.evaluationPeriods,
    DatapointsToAlarm: d.datapointsToAlarm,
    Threshold: d.threshold,
    ComparisonOperator: d.comparisonOperator,
    TreatMissingData: d.treatMissingData,
    StateTransitionedTimestamp: a.stateUpdatedTime,
  };
}

function maxRecords(r: InputReader, input: Input): number {
  const n = r.integer(input, 'MaxRecords', 'MaxRecords') ?? 50;
  if (n < 1 || n > MAX_RECORDS) throw invalidValue(`The parameter MaxRecords must be from 1 to ${MAX_RECORDS}.`);
  return n;
}

export const describeAlarmsAction: CloudWatchAction = {
  name: 'DescribeAlarms',
  async handle(ctx, input, r) {
    const names = strings(r, input, 'AlarmNames', 100, 255);
    const namePrefix = r.string(input, 'AlarmNamePrefix', 'AlarmNamePrefix', { min: 1, max: 255 });
    if (names && namePrefix !== undefined)
      throw new CwError('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be given together.');
    const state = r.string(input, 'StateValue', 'StateValue', { enum: STATES }) as AlarmState | undefined;
    const types = strings(r, input, 'AlarmTypes', 2, 64);
    const limit = maxRecords(r, input);
    const scope = `${ctx.user.id}\u0000DescribeAlarms\u0000${JSON.stringify([names, namePrefix, state])}`;
    const token = r.string(input, 'NextToken', 'NextToken');
    const after = token === undefined ? undefined : ctx.pageTokens.decode(scope, token);
    const page = await services(ctx).store.listAlarms(ctx.user.id, {
      ...(names ? { names } : {}),
      ...(namePrefix !== undefined ? { namePrefix } : {}),
      ...(state ? { state } : {}),
      ...(after !== undefined ? { after } : {}),
      limit: limit + 1,
    });
    const shown = page.slice(0, limit);
    const metricAlarms = types === undefined || types.includes('MetricAlarm');
    return {
      MetricAlarms: metricAlarms ? shown.map(alarmOut) : [],
      CompositeAlarms: [],
      NextToken:
        page.length > limit ? ctx.pageTokens.encode(scope, shown[shown.length - 1]!.definition.name) : undefined,
    };
  },
};

export const deleteAlarmsAction: CloudWatchAction = {
  name: 'DeleteAlarms',
  async handle(ctx, input, r) {
    const names = strings(r, input, 'AlarmNames', 100, 255);
    if (names === undefined) throw new CwError('MissingParameter', 'The parameter AlarmNames is required.');
    await deleteAlarms(services(ctx), ctx.user, names);
    return undefined;
  },
};

export const setAlarmStateAction: CloudWatchAction = {
  name: 'SetAlarmState',
  async handle(ctx, input, r) {
    const reasonData = r.string(input, 'StateReasonData', 'StateReasonData', { max: 4000 });
    if (reasonData !== undefined && !isJsonObject(reasonData))
      throw new CwError('InvalidFormat', 'StateReasonData must be a JSON object or array.');
    await setAlarmState(services(ctx), ctx.user, {
      alarmName: r.requiredString(input, 'AlarmName', 'AlarmName', { min: 1, max: 255 }),
      state: r.requiredString(input, 'StateValue', 'StateValue', { max: 64 }),
      reason: r.requiredString(input, 'StateReason', 'StateReason', { max: 1023 }),
      ...(reasonData !== undefined ? { reasonData } : {}),
    });
    return undefined;
  },
};

export const describeAlarmHistoryAction: CloudWatchAction = {
  name: 'DescribeAlarmHistory',
  async handle(ctx, input, r) {
    const alarmName = r.string(input, 'AlarmName', 'AlarmName', { min: 1, max: 255 });
    const type = r.string(input, 'HistoryItemType', 'HistoryItemType', { enum: HISTORY_TYPES }) as
      AlarmHistoryType | undefined;
    const start = r.timestamp(input, 'StartDate', 'StartDate');
    const end = r.timestamp(input, 'EndDate', 'EndDate');
    const order = r.string(input, 'ScanBy', 'ScanBy', { enum: ['TimestampDescending'] });
    void order; // only newest first is served
    const limit = maxRecords(r, input);
    const scope = `${ctx.user.id}\u0000DescribeAlarmHistory\u0000${JSON.stringify([alarmName, type, start, end])}`;
    const token = r.string(input, 'NextToken', 'NextToken');
    const before = token === undefined ? undefined : ctx.pageTokens.decode(scope, token);
    const items = await services(ctx).store.listAlarmHistory(ctx.user.id, {
      ...(alarmName !== undefined ? { alarmName } : {}),
      ...(type ? { type } : {}),
      ...(start !== undefined ? { start: new Date(start) } : {}),
      ...(end !== undefined ? { end: new Date(end) } : {}),
      ...(before !== undefined ? { before } : {}),
      limit: limit + 1,
    });
    const shown = items.slice(0, limit);
    return {
      AlarmHistoryItems: shown.map((h) => ({
        AlarmName: h.alarmName,
        AlarmType: 'MetricAlarm',
        Timestamp: h.timestamp,
        HistoryItemType: h.type,
        HistorySummary: h.summary,
        HistoryData: h.data,
      })),
      NextToken: items.length > limit ? ctx.pageTokens.encode(scope, shown[shown.length - 1]!.cursor) : undefined,
    };
  },
};

/** The alarm actions (beside the metric ones). */
export const ALARM_ACTIONS: readonly CloudWatchAction[] = [
  putMetricAlarmAction,
  describeAlarmsAction,
  deleteAlarmsAction,
  setAlarmStateAction,
  describeAlarmHistoryAction,
];
