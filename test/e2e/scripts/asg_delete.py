"""asg_delete.py NAME -- delete a domain (its VMs are terminated)."""
import sys

from phantom_connect import run


def main(con, args):
    if len(args) != 1:
        sys.stderr.write('usage: asg_delete.py <domain name>\n')
        sys.exit(2)
    name = args[0]
    groups = con.get_all_groups(names=[name])
    if not groups:
        # Let the server say what is wrong (an unknown domain is a ValidationError).
        con.delete_auto_scaling_group(name)
        return
    group = groups[0]
    print("deleting %s" % group)
    group.delete()


run(main)
