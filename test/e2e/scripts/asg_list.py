"""asg_list.py -- print every domain, its launch configuration and size, and its instances."""
from phantom_connect import run


def main(con, args):
    for group in con.get_all_groups():
        print(group.name)
        print("\t%s : %s" % (group.launch_config_name, group.desired_capacity))
        print("\tInstances:")
        print("\t---------")
        for instance in group.instances:
            print("\t\t%s : %s" % (instance.availability_zone, instance.health_status))


run(main)
