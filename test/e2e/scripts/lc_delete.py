"""lc_delete.py NAME -- delete one launch configuration (NAME is <name>@<site>)."""
import sys

from phantom_connect import run


def main(con, args):
    if len(args) != 1:
        sys.stderr.write('usage: lc_delete.py <name>@<site>\n')
        sys.exit(2)
    con.delete_launch_configuration(args[0])


run(main)
