/**
 * The launch-configuration → domain lifecycle through Debian's boto3 (1.26, /usr/bin/python3)
 * against the real `phantom server` binary, with SigV4 and with Config(signature_version='v2'),
 * plus boto3's modelled errors and its paginator over 120 groups.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boto3Available, requireClient } from '../support/process.ts';
import {
  USER_DATA,
  USER_DATA_B64,
  UUID,
  boto3Err,
  boto3Ok,
  boto3Program,
  createPlainGroups,
  py,
  type Boto3Call,
  serverWithClientHome,
} from './clients.ts';

const needBoto3 = requireClient('boto3 (/usr/bin/python3 + python3-boto3)', boto3Available());

interface LaunchConfiguration {
  LaunchConfigurationName: string;
  LaunchConfigurationARN: string;
  ImageId: string;
  InstanceType: string;
  KeyName: string;
  SecurityGroups: string[];
  UserData: string;
  InstanceMonitoring: { Enabled: boolean };
  CreatedTime: string;
}
interface TagDescription {
  ResourceId: string;
  ResourceType: string;
  Key: string;
  Value: string;
  PropagateAtLaunch: boolean;
}
interface Group {
  AutoScalingGroupName: string;
  AutoScalingGroupARN: string;
  LaunchConfigurationName: string;
  MinSize: number;
  MaxSize: number;
  DesiredCapacity: number;
  DefaultCooldown: number;
  AvailabilityZones: string[];
  HealthCheckType: string;
  HealthCheckGracePeriod: number;
  CreatedTime: string;
  Tags: TagDescription[];
  TerminationPolicies: string[];
  Status?: string;
}
interface Activity {
  ActivityId: string;
  AutoScalingGroupName: string;
  StatusCode: string;
}
interface LifecycleOut {
  createHotel: Boto3Call<object>;
  createSierra: Boto3Call<object>;
  duplicate: Boto3Call<object>;
  lcs: Boto3Call<{ LaunchConfigurations: LaunchConfiguration[] }>;
  createGroup: Boto3Call<object>;
  describe1: Boto3Call<{ AutoScalingGroups: Group[] }>;
  duplicateGroup: Boto3Call<object>;
  update: Boto3Call<object>;
  describe2: Boto3Call<{ AutoScalingGroups: Group[] }>;
  setCapacity: Boto3Call<object>;
  describe3: Boto3Call<{ AutoScalingGroups: Group[] }>;
  activities: Boto3Call<{ Activities: Activity[] }>;
  activitiesUnknown: Boto3Call<object>;
  limits: Boto3Call<{
    MaxNumberOfAutoScalingGroups: number;
    MaxNumberOfLaunchConfigurations: number;
    NumberOfAutoScalingGroups: number;
    NumberOfLaunchConfigurations: number;
  }>;
  lcInUse: Boto3Call<object>;
  unknownGroup: Boto3Call<object>;
  deleteGroup: Boto3Call<object>;
  describe4: Boto3Call<{ AutoScalingGroups: Group[] }>;
  deleteHotel: Boto3Call<object>;
  deleteSierra: Boto3Call<object>;
  lcsAfter: Boto3Call<{ LaunchConfigurations: LaunchConfiguration[] }>;
}

const DOMAIN_TAGS = [
  { Key: 'PHANTOM_DEFINITION', Value: 'error_overflow_n_preserving' },
  { Key: 'clouds', Value: 'hotel:1,sierra:2' },
  { Key: 'minimum_vms', Value: '3' },
  { Key: 'owner', Value: 'team a+b/c=d' },
].map((t) => ({ ...t, ResourceId: 'dom1', ResourceType: 'auto-scaling-group', PropagateAtLaunch: false }));

/** One Python process runs the whole lifecycle; every call's result is asserted afterwards. */
const LIFECYCLE = `
def lc(name):
    return call('create_launch_configuration', LaunchConfigurationName=name, ImageId='hello-cloud', InstanceType='m1.small',
                KeyName='phantomkey', SecurityGroups=['default'], UserData=${py(USER_DATA)})
out['createHotel'] = lc('web@hotel')
out['createSierra'] = lc('web@sierra')
try:
    lc_ = client.create_launch_configuration(LaunchConfigurationName='web@hotel', ImageId='hello-cloud', InstanceType='m1.small')
    out['duplicate'] = {'ok': ok(lc_)}
except client.exceptions.AlreadyExistsFault as e:
    out['duplicate'] = {'error': err(e)}
out['lcs'] = call('describe_launch_configurations', LaunchConfigurationNames=['web@hotel', 'web@sierra'])
group = dict(AutoScalingGroupName='dom1', LaunchConfigurationName='web@hotel', MinSize=3, MaxSize=3,
             AvailabilityZones=['us-east-1'], Tags=${py(DOMAIN_TAGS)})
out['createGroup'] = call('create_auto_scaling_group', **group)
out['describe1'] = call('describe_auto_scaling_groups', AutoScalingGroupNames=['dom1'])
try:
    client.create_auto_scaling_group(**group)
    out['duplicateGroup'] = {'ok': {}}
except client.exceptions.AlreadyExistsFault as e:
    out['duplicateGroup'] = {'error': err(e)}
out['update'] = call('update_auto_scaling_group', AutoScalingGroupName='dom1', MaxSize=5, DefaultCooldown=60, HealthCheckGracePeriod=30)
out['describe2'] = call('describe_auto_scaling_groups', AutoScalingGroupNames=['dom1'])
out['setCapacity'] = call('set_desired_capacity', AutoScalingGroupName='dom1', DesiredCapacity=2)
out['describe3'] = call('describe_auto_scaling_groups', AutoScalingGroupNames=['dom1'])
out['activities'] = call('describe_scaling_activities', AutoScalingGroupName='dom1')
out['activitiesUnknown'] = call('describe_scaling_activities', AutoScalingGroupName='noSuchDomain')
out['limits'] = call('describe_account_limits')
out['lcInUse'] = call('delete_launch_configuration', LaunchConfigurationName='web@hotel')
out['unknownGroup'] = call('set_desired_capacity', AutoScalingGroupName='noSuchDomain', DesiredCapacity=1)
out['deleteGroup'] = call('delete_auto_scaling_group', AutoScalingGroupName='dom1')
out['describe4'] = call('describe_auto_scaling_groups', AutoScalingGroupNames=['dom1'])
out['deleteHotel'] = call('delete_launch_configuration', LaunchConfigurationName='web@hotel')
out['deleteSierra'] = call('delete_launch_configuration', LaunchConfigurationName='web@sierra')
out['lcsAfter'] = call('describe_launch_configurations')
`;

/** Asserts a group's fields that do not depend on the step. */
function assertDomain(
  g: Group | undefined,
  expected: Pick<Group, 'MinSize' | 'MaxSize' | 'DesiredCapacity' | 'DefaultCooldown' | 'HealthCheckGracePeriod'>,
): void {
  assert.ok(g, 'group dom1 is listed');
  assert.deepEqual(
    {
      AutoScalingGroupName: g.AutoScalingGroupName,
      LaunchConfigurationName: g.LaunchConfigurationName,
      MinSize: g.MinSize,
      MaxSize: g.MaxSize,
      DesiredCapacity: g.DesiredCapacity,
      DefaultCooldown: g.DefaultCooldown,
      HealthCheckGracePeriod: g.HealthCheckGracePeriod,
      AvailabilityZones: g.AvailabilityZones,
      HealthCheckType: g.HealthCheckType,
      TerminationPolicies: g.TerminationPolicies,
      Tags: g.Tags,
    },
    {
      AutoScalingGroupName: 'dom1',
      LaunchConfigurationName: 'web',
      ...expected,
      AvailabilityZones: ['hotel', 'sierra'],
      HealthCheckType: 'EC2',
      TerminationPolicies: ['Default'],
      Tags: DOMAIN_TAGS,
    },
  );
  assert.match(
    g.AutoScalingGroupARN,
    /^arn:[^:]+:autoscaling:[^:]*:[^:]*:autoScalingGroup:[^:]+:autoScalingGroupName\/dom1$/,
  );
  const created = Date.parse(g.CreatedTime);
  assert.ok(Math.abs(Date.now() - created) < 10 * 60_000, `CreatedTime ${g.CreatedTime} is recent`);
}

describe('boto3 against the phantom binary', { concurrency: true }, () => {
  const fixture = serverWithClientHome('phantom-boto3-');
  const home = fixture.home;

  for (const sigv2 of [false, true]) {
    const label = sigv2 ? "Config(signature_version='v2')" : 'SigV4';
    it(`runs the lifecycle with ${label}`, needBoto3, async () => {
      const user = await fixture.server.addUser(sigv2 ? 'boto3-v2' : 'boto3-v4');
      const out = await boto3Program<LifecycleOut>(home, { url: fixture.server.url, creds: user }, sigv2, LIFECYCLE);

      for (const step of [
        'createHotel',
        'createSierra',
        'createGroup',
        'update',
        'setCapacity',
        'deleteGroup',
        'deleteHotel',
        'deleteSierra',
      ] as const) {
        const r = boto3Ok(step, out[step]);
        assert.equal(r.$meta.status, 200, step);
        assert.match(r.$meta.requestId, UUID, `${step}: RequestId`);
      }

      // The modelled AlreadyExistsFault (a ClientError subclass from client.exceptions).
      const dup = boto3Err('duplicate', out.duplicate);
      assert.deepEqual(dup, {
        class: 'AlreadyExistsFault',
        modeled: true,
        clientError: true,
        code: 'AlreadyExists',
        type: 'Sender',
        message:
          'Launch Configuration by this name already exists - A launch configuration already exists with the name web@hotel',
        status: 400,
        requestId: dup.requestId,
      });
      assert.match(dup.requestId, UUID);
      const dupGroup = boto3Err('duplicateGroup', out.duplicateGroup);
      assert.deepEqual(
        [dupGroup.class, dupGroup.code, dupGroup.status, dupGroup.message],
        [
          'AlreadyExistsFault',
          'AlreadyExists',
          400,
          'AutoScalingGroup by this name already exists - A group with the name dom1 already exists',
        ],
      );

      // User data round-trips (botocore base64-encodes it on the way in; it comes back base64).
      const lcs = boto3Ok('lcs', out.lcs).LaunchConfigurations;
      assert.deepEqual(
        lcs.map((lc) => [
          lc.LaunchConfigurationName,
          lc.ImageId,
          lc.InstanceType,
          lc.KeyName,
          lc.SecurityGroups,
          lc.UserData,
        ]),
        ['web@hotel', 'web@sierra'].map((n) => [
          n,
          'hello-cloud',
          'm1.small',
          'phantomkey',
          ['default'],
          USER_DATA_B64,
        ]),
      );
      assert.equal(Buffer.from(lcs[0]!.UserData, 'base64').toString('utf8'), USER_DATA);
      for (const lc of lcs)
        assert.match(
          lc.LaunchConfigurationARN,
          new RegExp(`:launchConfiguration:[^:]+:launchConfigurationName/${lc.LaunchConfigurationName}$`),
        );

      // Describe echoes the fields and the tags; update changes only what it names.
      assertDomain(boto3Ok('describe1', out.describe1).AutoScalingGroups[0], {
        MinSize: 3,
        MaxSize: 3,
        DesiredCapacity: 3,
        DefaultCooldown: 300,
        HealthCheckGracePeriod: 0,
      });
      assert.equal(boto3Ok('describe1', out.describe1).AutoScalingGroups.length, 1);
      assertDomain(boto3Ok('describe2', out.describe2).AutoScalingGroups[0], {
        MinSize: 3,
        MaxSize: 5,
        DesiredCapacity: 3,
        DefaultCooldown: 60,
        HealthCheckGracePeriod: 30,
      });
      // SetDesiredCapacity on a Phantom domain pins min = max = desired (n-preserving).
      assertDomain(boto3Ok('describe3', out.describe3).AutoScalingGroups[0], {
        MinSize: 2,
        MaxSize: 2,
        DesiredCapacity: 2,
        DefaultCooldown: 60,
        HealthCheckGracePeriod: 30,
      });

      const activities = boto3Ok('activities', out.activities).Activities;
      assert.ok(Array.isArray(activities));
      for (const a of activities) {
        assert.equal(a.AutoScalingGroupName, 'dom1');
        assert.match(
          a.StatusCode,
          /^(PendingSpotBidPlacement|WaitingForSpotInstanceRequestId|WaitingForSpotInstanceId|WaitingForInstanceId|PreInService|InProgress|WaitingForELBConnectionDraining|MidLifecycleAction|WaitingForInstanceWarmup|Successful|Failed|Cancelled|WaitingForConnectionDraining)$/,
        );
      }
      const unknownActivities = boto3Err('activitiesUnknown', out.activitiesUnknown);
      assert.deepEqual(
        [unknownActivities.class, unknownActivities.code, unknownActivities.status],
        ['ClientError', 'ValidationError', 400],
      );

      const limits = boto3Ok('limits', out.limits);
      assert.deepEqual(
        [
          limits.MaxNumberOfAutoScalingGroups,
          limits.MaxNumberOfLaunchConfigurations,
          limits.NumberOfAutoScalingGroups,
          limits.NumberOfLaunchConfigurations,
        ],
        [500, 200, 1, 2],
      );

      // Deleting a launch configuration a domain uses: ResourceInUse (modelled as ResourceInUseFault).
      const inUse = boto3Err('lcInUse', out.lcInUse);
      assert.deepEqual(
        [inUse.class, inUse.modeled, inUse.clientError, inUse.code, inUse.status, inUse.message],
        [
          'ResourceInUseFault',
          true,
          true,
          'ResourceInUse',
          400,
          'Cannot delete launch configuration web@hotel because it is attached to AutoScalingGroup dom1',
        ],
      );
      // An unknown group: ValidationError (not modelled, so a plain ClientError) with AWS's text.
      const unknown = boto3Err('unknownGroup', out.unknownGroup);
      assert.deepEqual(
        [unknown.class, unknown.clientError, unknown.code, unknown.type, unknown.status, unknown.message],
        [
          'ClientError',
          true,
          'ValidationError',
          'Sender',
          400,
          "AutoScalingGroup name not found - AutoScalingGroup 'noSuchDomain' not found",
        ],
      );

      // After the delete the domain is gone, or (once a controller runs its VMs) being deleted.
      const remaining = boto3Ok('describe4', out.describe4).AutoScalingGroups;
      assert.ok(
        remaining.length === 0 || (remaining.length === 1 && remaining[0]!.Status === 'Delete in progress'),
        JSON.stringify(remaining),
      );
      assert.deepEqual(boto3Ok('lcsAfter', out.lcsAfter).LaunchConfigurations, []);
    });
  }

  it('pages through 120 groups with the paginator (PageSize 50)', needBoto3, async () => {
    const user = await fixture.server.addUser('boto3-pager');
    const names = await createPlainGroups(fixture.server.sdk(user), 120);
    const out = await boto3Program<{
      pages: Array<{ names: string[]; next: string | null }>;
      single: Boto3Call<{ AutoScalingGroups: Group[]; NextToken?: string }>;
      bad: Boto3Call<object>;
    }>(
      home,
      { url: fixture.server.url, creds: user },
      false,
      `
pages = []
for page in client.get_paginator('describe_auto_scaling_groups').paginate(PaginationConfig={'PageSize': 50}):
    pages.append({'names': [g['AutoScalingGroupName'] for g in page['AutoScalingGroups']], 'next': page.get('NextToken')})
out['pages'] = pages
out['single'] = call('describe_auto_scaling_groups', MaxRecords=50)
out['bad'] = call('describe_auto_scaling_groups', NextToken='not-a-token')
`,
    );
    assert.deepEqual(
      out.pages.map((p) => p.names.length),
      [50, 50, 20],
    );
    assert.deepEqual(
      out.pages.flatMap((p) => p.names),
      names,
    );
    assert.equal(typeof out.pages[0]!.next, 'string');
    assert.equal(typeof out.pages[1]!.next, 'string');
    assert.equal(out.pages[2]!.next, null, 'the last page carries no NextToken');
    const single = boto3Ok('single', out.single);
    assert.deepEqual(
      single.AutoScalingGroups.map((g) => g.AutoScalingGroupName),
      names.slice(0, 50),
    );
    assert.ok(single.NextToken && single.NextToken.length > 0, 'a single page of 50 carries NextToken');
    const bad = boto3Err('bad', out.bad);
    assert.deepEqual([bad.class, bad.code, bad.status], ['InvalidNextToken', 'InvalidNextToken', 400]);
  });
});
