import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GroupRecord, InstanceRecord } from '../../contracts/records.ts';
import { fullGroup, group, instance } from '../../store/cases/fixtures.ts';
import { RawXml, resultXml } from '../query/xml.ts';
import { groupMemberXml, groupXml } from './group-xml.ts';

/** The generic writer's answer: the reference the hand-written writer must equal. */
const generic = (groups: GroupRecord[], instances: Map<string, InstanceRecord[]>) =>
  resultXml('DescribeAutoScalingGroups', {
    AutoScalingGroups: groups.map((g) => groupXml(g, instances.get(g.name) ?? [])),
  });
const handWritten = (groups: GroupRecord[], instances: Map<string, InstanceRecord[]>) =>
  resultXml('DescribeAutoScalingGroups', {
    AutoScalingGroups: new RawXml(groups.map((g) => groupMemberXml(g, instances.get(g.name) ?? [])).join('')),
  });

const MARKUP = `<a href="x">'&\u0007`;

describe('groupMemberXml', () => {
  it('writes the same bytes as the generic writer for plain, full and Phantom-domain groups', () => {
    const domain = group('u', 'domain-1', {
      launchConfigurationName: 'web@hotel',
      deleting: true,
      tags: [
        { key: 'PHANTOM_DEFINITION', value: 'error_overflow_n_preserving', propagateAtLaunch: false },
        { key: 'clouds', value: 'hotel:2,sierra:-1', propagateAtLaunch: true },
      ],
    });
    const badClouds = group('u', 'domain-2', {
      availabilityZones: ['us-east-1'],
      tags: [
        { key: 'PHANTOM_DEFINITION', value: 'error_overflow_n_preserving', propagateAtLaunch: false },
        { key: 'clouds', value: 'no-colon', propagateAtLaunch: false },
      ],
    });
    const groups = [group('u', 'plain'), fullGroup('u', 'full'), domain, badClouds];
    const instances = new Map([
      ['full', [instance('u', 'full', 'i-1', { instanceType: 'm1.small' }), instance('u', 'full', 'i-2')]],
      ['domain-1', [{ ...instance('u', 'domain-1', 'i-3'), protectedFromScaleIn: true }]],
    ]);
    const expected = generic(groups, instances);
    assert.match(expected, /<Status>Delete in progress<\/Status>/);
    assert.equal(handWritten(groups, instances), expected);
  });

  it('escapes every text member as the generic writer does', () => {
    const g = fullGroup('u', `g${MARKUP}`);
    const odd: GroupRecord = {
      ...g,
      arn: MARKUP,
      healthCheckType: MARKUP,
      availabilityZones: [MARKUP],
      loadBalancerNames: [MARKUP],
      targetGroupARNs: [MARKUP],
      placementGroup: MARKUP,
      vpcZoneIdentifier: MARKUP,
      terminationPolicies: [MARKUP],
      suspendedProcesses: [{ processName: MARKUP, suspensionReason: MARKUP }],
      tags: [{ key: MARKUP, value: MARKUP, propagateAtLaunch: true }],
    };
    const i: InstanceRecord = {
      ...instance('u', odd.name, 'i-1'),
      instanceId: MARKUP,
      instanceType: MARKUP,
      site: MARKUP,
      launchConfigurationName: MARKUP,
    };
    const instances = new Map([[odd.name, [i]]]);
    const expected = generic([odd], instances);
    assert.doesNotMatch(expected, /<a href/);
    assert.equal(handWritten([odd], instances), expected);
  });

  it('writes an empty list as the empty element', () => {
    assert.equal(handWritten([], new Map()), generic([], new Map()));
    assert.match(handWritten([], new Map()), /<AutoScalingGroups><\/AutoScalingGroups>/);
  });
});
