"""lc_create.py NAME IMAGE -- create one site's launch configuration (NAME is <name>@<site>)."""
import sys

from boto.ec2.autoscale import LaunchConfiguration

from phantom_connect import run


def main(con, args):
    if len(args) != 2:
        sys.stderr.write('usage: lc_create.py <name>@<site> <image>\n')
        sys.exit(2)
    name, image = args
    lc = LaunchConfiguration(name=name, image_id=image, key_name='phantomkey',
                             security_groups=['default'], instance_type='m1.small')
    con.create_launch_configuration(lc)


run(main)
