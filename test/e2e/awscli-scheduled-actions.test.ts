/**
 * Scheduled actions through Debian's aws-cli v2 (/usr/bin/aws) against the real `phantom server`
 * binary: put (with a time zone), batch put with a per-item failure, describe, the error of a cron
 * that never runs, delete and batch delete. Independent calls run concurrently (aws-cli costs about
 * a second per call).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateAutoScalingGroupCommand, CreateLaunchConfigurationCommand } from '@aws-sdk/client-auto-scaling';
import { awsCliAvailable, requireClient } from '../support/process.ts';
import { awsCli, awsError, awsOk, serverWithClientHome, type Target } from './clients.ts';

const needAws = requireClient('aws-cli v2 (/usr/bin/aws)', awsCliAvailable());

interface Action {
  AutoScalingGroupName: string;
  ScheduledActionName: string;
  ScheduledActionARN: string;
  StartTime: string;
  Time: string;
  Recurrence?: string;
  TimeZone?: string;
  MinSize?: number;
  MaxSize?: number;
  DesiredCapacity?: number;
}

const DAY = 86_400_000;
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('aws-cli v2: scheduled actions against the phantom binary', () => {
  const fixture = serverWithClientHome('phantom-awscli-sched-');

  it('puts, batch-puts, describes, refuses a cron that never runs, deletes', needAws, async () => {
    const target: Target = { url: fixture.server.url, creds: await fixture.server.addUser('sched') };
    const sdk = fixture.server.sdk(target.creds);
    const aws = (...args: string[]) => awsCli(fixture.home, target, args);
    await sdk.send(
      new CreateLaunchConfigurationCommand({ LaunchConfigurationName: 'lc@hotel', ImageId: 'i', InstanceType: 't' }),
    );
    await sdk.send(
      new CreateAutoScalingGroupCommand({
        AutoScalingGroupName: 'web',
        LaunchConfigurationName: 'lc@hotel',
        MinSize: 0,
        MaxSize: 10,
        DesiredCapacity: 0,
        AvailabilityZones: ['us-east-1'],
      }),
    );
    const start = isoSeconds(Date.now() + 2 * DAY);
    const group = ['--auto-scaling-group-name', 'web'];
    const [put, batch, never] = await Promise.all([
      aws(
        'put-scheduled-update-group-action',
        ...group,
        '--scheduled-action-name',
        'tokyo',
        '--recurrence',
        '0 9 * * 1-5',
        '--time-zone',
        'Etc/GMT+9',
        '--start-time',
        start,
        '--min-size',
        '1',
        '--max-size',
        '5',
        '--desired-capacity',
        '3',
      ),
      aws(
        'batch-put-scheduled-update-group-action',
        ...group,
        '--scheduled-update-group-actions',
        JSON.stringify([
          { ScheduledActionName: 'weekend', StartTime: isoSeconds(Date.now() + 3 * DAY), DesiredCapacity: 0 },
          { ScheduledActionName: 'too-late', StartTime: '2001-01-01T00:00:00Z', DesiredCapacity: 1 },
        ]),
      ),
      aws(
        'put-scheduled-update-group-action',
        ...group,
        '--scheduled-action-name',
        'never',
        '--recurrence',
        '0 0 31 2 *',
        '--desired-capacity',
        '1',
      ),
    ]);
    assert.equal(awsOk('put-scheduled-update-group-action', put), undefined, 'put prints nothing');
    const failed = awsOk<{ FailedScheduledUpdateGroupActions: Array<Record<string, string>> }>('batch-put', batch);
    assert.deepEqual(
      failed.FailedScheduledUpdateGroupActions.map((f) => [f.ScheduledActionName, f.ErrorCode]),
      [['too-late', 'ValidationError']],
    );
    assert.match(failed.FailedScheduledUpdateGroupActions[0]!.ErrorMessage!, /in the past/);
    const error = awsError('a cron that never runs', never, 'PutScheduledUpdateGroupAction');
    assert.equal(error.code, 'ValidationError');
    assert.match(error.message, /Recurrence/);

    const described = awsOk<{ ScheduledUpdateGroupActions: Action[] }>(
      'describe-scheduled-actions',
      await aws('describe-scheduled-actions', ...group),
    ).ScheduledUpdateGroupActions;
    assert.deepEqual(
      described.map((a) => a.ScheduledActionName),
      ['tokyo', 'weekend'],
    );
    const tokyo = described[0]!;
    assert.equal(new Date(tokyo.StartTime).toISOString(), new Date(start).toISOString());
    assert.equal(new Date(tokyo.Time).toISOString(), new Date(start).toISOString());
    assert.deepEqual(
      [tokyo.Recurrence, tokyo.TimeZone, tokyo.MinSize, tokyo.MaxSize, tokyo.DesiredCapacity],
      ['0 9 * * 1-5', 'Etc/GMT+9', 1, 5, 3],
    );
    assert.match(
      tokyo.ScheduledActionARN,
      /:scheduledUpdateGroupAction:.*:autoScalingGroupName\/web:scheduledActionName\/tokyo$/,
    );

    const [deleted, batchDeleted] = await Promise.all([
      aws('delete-scheduled-action', ...group, '--scheduled-action-name', 'tokyo'),
      aws('batch-delete-scheduled-action', ...group, '--scheduled-action-names', 'weekend', 'ghost'),
    ]);
    assert.equal(awsOk('delete-scheduled-action', deleted), undefined);
    const notDeleted = awsOk<{ FailedScheduledActions: Array<Record<string, string>> }>('batch-delete', batchDeleted);
    assert.deepEqual(
      notDeleted.FailedScheduledActions.map((f) => [f.ScheduledActionName, f.ErrorCode]),
      [['ghost', 'ValidationError']],
    );
    const [empty, missing] = await Promise.all([
      aws('describe-scheduled-actions', ...group),
      aws('delete-scheduled-action', ...group, '--scheduled-action-name', 'tokyo'),
    ]);
    assert.deepEqual(awsOk('describe after deletes', empty), { ScheduledUpdateGroupActions: [] });
    assert.equal(awsError('delete again', missing, 'DeleteScheduledAction').code, 'ValidationError');
  });
});
