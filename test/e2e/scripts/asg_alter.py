"""asg_alter.py NAME SIZE -- change a domain's n-preserving size (SetDesiredCapacity)."""
import sys

from phantom_connect import run


def main(con, args):
    if len(args) != 2:
        sys.stderr.write('usage: asg_alter.py <domain name> <size>\n')
        sys.exit(2)
    name, size = args[0], int(args[1])
    groups = con.get_all_groups(names=[name])
    if groups:
        groups[0].set_capacity(size)
    else:
        # Let the server say what is wrong (an unknown domain is a ValidationError).
        con.set_desired_capacity(name, size)


run(main)
