"""asg_create.py NAME LC N cloud:max [cloud:max ...] -- create an n-preserving domain.

The clouds travel in tags: PHANTOM_DEFINITION=error_overflow_n_preserving,
clouds=<cloud:max,...> and minimum_vms=N; the availability zone is a placeholder.
"""
import sys

from boto.ec2.autoscale import AutoScalingGroup
from boto.ec2.autoscale.tag import Tag

from phantom_connect import run


def main(con, args):
    if len(args) < 4:
        sys.stderr.write('usage: asg_create.py <domain name> <launch configuration> <size> <cloud>:<max vms> ...\n')
        sys.exit(2)
    name, lc_name, size = args[0], args[1], int(args[2])
    clouds = ",".join(args[3:])
    tags = [
        Tag(key='PHANTOM_DEFINITION', value='error_overflow_n_preserving', resource_id=name),
        Tag(key='clouds', value=clouds, resource_id=name),
        Tag(key='minimum_vms', value=str(size), resource_id=name),
    ]
    lcs = con.get_all_launch_configurations(names=[lc_name])
    if len(lcs) < 1:
        print("No such launch configuration")
        sys.exit(1)
    lc = lcs[0]
    print("using LaunchConfiguration:%s" % lc.name)
    group = AutoScalingGroup(connection=con, group_name=name, availability_zones=["us-east-1"],
                             min_size=size, max_size=size, launch_config=lc, tags=tags)
    con.create_auto_scaling_group(group)


run(main)
