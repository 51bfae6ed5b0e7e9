"""lc_list.py -- print the name of every launch configuration."""
from phantom_connect import run


def main(con, args):
    for lc in con.get_all_launch_configurations():
        print(lc.name)


run(main)
