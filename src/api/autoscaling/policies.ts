import { findGroup } from '../../services/addressing.ts';
import { groupNotFound } from '../../services/deps.ts';
import { deletePolicy, executePolicy, putScalingPolicy } from '../../services/policies.ts';
import { alarmsOfPolicy } from '../../services/policy-alarms.ts';
import { isAutoScalingArn } from '../../domain/arn.ts';
import { defineAction } from '../query/action.ts';
import { ApiError } from '../query/errors.ts';
import { pageSize, paginate } from '../query/pagination.ts';
import { bool, int, list, opt, req, str, struct, xmlString } from '../query/shape.ts';
import { alarmsXml, double, policyInputOf, putPolicyShape, scalingPolicyXml } from './policy-shapes.ts';

const POLICY_TYPES = ['SimpleScaling', 'StepScaling', 'TargetTrackingScaling', 'PredictiveScaling'];

export const putScalingPolicyAction = defineAction({
  name: 'PutScalingPolicy',
  input: putPolicyShape,
  async handle(ctx, input) {
    const { arn, alarms, effect } = await putScalingPolicy(
      ctx.deps,
      ctx.user,
      input.AutoScalingGroupName,
      policyInputOf(input),
    );
    return { result: { PolicyARN: arn, Alarms: alarmsXml(alarms) }, effect };
  },
});

export const deletePolicyAction = defineAction({
  name: 'DeletePolicy',
  input: struct({ AutoScalingGroupName: opt(xmlString(1600)), PolicyName: req(xmlString(1600)) }),
  async handle(ctx, input) {
    return deletePolicy(ctx.deps, ctx.user, input.PolicyName, input.AutoScalingGroupName);
  },
});

export const executePolicyAction = defineAction({
  name: 'ExecutePolicy',
  input: struct({
    AutoScalingGroupName: opt(xmlString(1600)),
    PolicyName: req(xmlString(1600)),
    HonorCooldown: opt(bool()),
    MetricValue: opt(str({ min: 1, max: 64 })),
    BreachThreshold: opt(str({ min: 1, max: 64 })),
  }),
  async handle(ctx, input) {
    const { effect } = await executePolicy(ctx.deps, ctx.user, input.PolicyName, input.AutoScalingGroupName, {
      honorCooldown: input.HonorCooldown,
      metricValue: double('MetricValue', input.MetricValue),
      breachThreshold: double('BreachThreshold', input.BreachThreshold),
    });
    return { effect };
  },
});

/** PolicyTypes as given: each must be one of AWS's types. @throws ApiError ValidationError. */
function policyTypesOf(types: string[] | undefined): string[] | undefined {
  const bad = types?.find((t) => !POLICY_TYPES.includes(t));
  if (bad !== undefined)
    throw new ApiError(
      'ValidationError',
      `Invalid PolicyTypes value '${bad.slice(0, 64)}'; valid values are: ${POLICY_TYPES.join(', ')}.`,
    );
  return types?.length ? types : undefined;
}

export const describePoliciesAction = defineAction({
  name: 'DescribePolicies',
  readOnly: true,
  input: struct({
    AutoScalingGroupName: opt(xmlString(1600)),
    PolicyNames: opt(list(xmlString(1600), 50)),
    PolicyTypes: opt(list(xmlString(64), 10)),
    NextToken: opt(str({ max: 4096 })),
    MaxRecords: opt(int()),
  }),
  async handle(ctx, input) {
    const { store, pageTokens } = ctx.deps;
    const limit = pageSize(input.MaxRecords, 50, 100);
    let groupName: string | undefined;
    if (input.AutoScalingGroupName !== undefined) {
      const group = await findGroup(store, ctx.user.id, input.AutoScalingGroupName);
      if (!group) throw groupNotFound(input.AutoScalingGroupName);
      groupName = group.name;
    }
    // Names filter by name; an ARN in PolicyNames stands for its policy's name (AWS takes either).
    const given = input.PolicyNames?.length ? input.PolicyNames : undefined;
    const names = given && [
      ...new Set(given.map((n) => (isAutoScalingArn(n) ? n.replace(/^.*:policyName\//, '') : n))),
    ];
    const policyTypes = policyTypesOf(input.PolicyTypes);
    const scope = `policies|${ctx.user.id}|${JSON.stringify([groupName ?? '', names ?? [], policyTypes ?? []])}`;
    const token = input.NextToken === undefined ? undefined : pageTokens.decode(scope, input.NextToken);
    const after = token === undefined ? undefined : (JSON.parse(token) as [string, string]);
    const rows = await store.listScalingPolicies(ctx.user.id, {
      groupName,
      names,
      policyTypes,
      after: after && { groupName: after[0], name: after[1] },
      limit: limit + 1,
    });
    const page = paginate(rows, limit, (r) => JSON.stringify([r.groupName, r.policy.policyName]), pageTokens, scope);
    const members = await Promise.all(page.items.map(async (r) => scalingPolicyXml(r, await alarmsOfPolicy(store, r))));
    return { ScalingPolicies: members, NextToken: page.nextToken };
  },
});
