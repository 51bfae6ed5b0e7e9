import type { Kysely, Migration } from 'kysely';
import { integerDefault, keyText, optional, required, type SqlDialectName } from './ddl.ts';

/**
 * The initial schema: meta, users, access keys, launch configurations, groups, instances,
 * activities. Portable subset (TEXT/INTEGER, JSON as TEXT, ISO-8601 text times).
 *
 * Groups and instances keep only user-visible state here; controller state (launch intents,
 * client tokens, lease generations) arrives in later migrations as new tables or as
 * nullable/defaulted columns added with `ALTER TABLE … ADD COLUMN`, which both SQLite and
 * PostgreSQL do without rewriting the table.
 */
export function initialSchema(dialect: SqlDialectName): Migration {
  const key = keyText(dialect);
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => key(c).primaryKey())
        .addColumn('value', 'text', required)
        .execute();

      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => key(c).primaryKey())
        .addColumn('name', 'text', (c) => key(c).unique())
        .addColumn('is_admin', 'integer', integerDefault(0))
        .addColumn('created_time', 'text', required)
        .addColumn('limits_json', 'text', (c) => c.notNull().defaultTo('{}'))
        .execute();

      await db.schema
        .createTable('access_keys')
        .addColumn('access_key_id', 'text', (c) => key(c).primaryKey())
        .addColumn('user_id', 'text', (c) => key(c).references('users.id').onDelete('cascade'))
        .addColumn('sealed_secret', 'text', required)
        .addColumn('created_time', 'text', required)
        .execute();
      await db.schema
        .createIndex('access_keys_by_user')
        .on('access_keys')
        .columns(['user_id', 'access_key_id'])
        .execute();

      await db.schema
        .createTable('launch_configurations')
        .addColumn('owner', 'text', key)
        .addColumn('name', 'text', key)
        .addColumn('arn', 'text', required)
        .addColumn('image_id', 'text', required)
        .addColumn('instance_type', 'text', required)
        .addColumn('key_name', 'text', optional)
        .addColumn('security_groups_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('user_data', 'text', optional)
        .addColumn('kernel_id', 'text', optional)
        .addColumn('ramdisk_id', 'text', optional)
        .addColumn('instance_monitoring', 'integer', integerDefault(1))
        .addColumn('ebs_optimized', 'integer', integerDefault(0))
        .addColumn('associate_public_ip_address', 'integer', optional)
        .addColumn('created_time', 'text', required)
        .addPrimaryKeyConstraint('launch_configurations_pk', ['owner', 'name'])
        .execute();

      await db.schema
        .createTable('groups')
        .addColumn('owner', 'text', key)
        .addColumn('name', 'text', key)
        .addColumn('arn', 'text', required)
        .addColumn('launch_configuration_name', 'text', required)
        .addColumn('min_size', 'integer', required)
        .addColumn('max_size', 'integer', required)
        .addColumn('desired_capacity', 'integer', required)
        .addColumn('default_cooldown', 'integer', required)
        .addColumn('health_check_type', 'text', required)
        .addColumn('health_check_grace_period', 'integer', required)
        .addColumn('availability_zones_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('load_balancer_names_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('target_group_arns_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('vpc_zone_identifier', 'text', optional)
        .addColumn('placement_group', 'text', optional)
        .addColumn('termination_policies_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('new_instances_protected_from_scale_in', 'integer', integerDefault(0))
        .addColumn('suspended_processes_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('tags_json', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_time', 'text', required)
        .addColumn('deleting', 'integer', integerDefault(0))
        .addColumn('version', 'integer', integerDefault(1))
        .addPrimaryKeyConstraint('groups_pk', ['owner', 'name'])
        .execute();

      await db.schema
        .createTable('instances')
        .addColumn('owner', 'text', key)
        .addColumn('instance_id', 'text', key)
        .addColumn('group_name', 'text', key)
        .addColumn('site', 'text', required)
        .addColumn('lifecycle_state', 'text', required)
        .addColumn('health_status', 'text', required)
        .addColumn('launch_configuration_name', 'text', required)
        .addColumn('instance_type', 'text', optional)
        .addColumn('protected_from_scale_in', 'integer', integerDefault(0))
        .addColumn('created_time', 'text', required)
        .addPrimaryKeyConstraint('instances_pk', ['owner', 'instance_id'])
        .execute();
      // Serves "instances of these groups" and its instance-id order without a sort.
      await db.schema
        .createIndex('instances_by_group')
        .on('instances')
        .columns(['owner', 'group_name', 'instance_id'])
        .execute();

      await db.schema
        .createTable('activities')
        .addColumn('activity_id', 'text', (c) => key(c).primaryKey())
        .addColumn('owner', 'text', key)
        .addColumn('group_name', 'text', key)
        .addColumn('description', 'text', required)
        .addColumn('cause', 'text', required)
        .addColumn('start_time', 'text', key)
        .addColumn('end_time', 'text', optional)
        .addColumn('status_code', 'text', required)
        .addColumn('status_message', 'text', optional)
        .addColumn('progress', 'integer', integerDefault(0))
        .addColumn('details', 'text', optional)
        .execute();
      // Serves newest-first listing per group (and its cursor) straight from the index.
      await db.schema
        .createIndex('activities_by_group_time')
        .on('activities')
        .columns(['owner', 'group_name', 'start_time', 'activity_id'])
        .execute();
      await db.schema
        .createIndex('activities_by_owner_time')
        .on('activities')
        .columns(['owner', 'start_time', 'activity_id'])
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of [
        'activities',
        'instances',
        'groups',
        'launch_configurations',
        'access_keys',
        'users',
        'meta',
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
