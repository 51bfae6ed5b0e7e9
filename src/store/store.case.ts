import { describe } from 'node:test';
import type { Store } from '../contracts/store.ts';
import { accountCases } from './cases/accounts.ts';
import { alarmCases } from './cases/alarms.ts';
import { changeStampCases, ownerChangeStampCases } from './cases/change-stamp.ts';
import { credentialCases } from './cases/credentials.ts';
import { activityCases } from './cases/activities.ts';
import { groupCases } from './cases/groups.ts';
import { instanceCases } from './cases/instances.ts';
import { intentCases } from './cases/intents.ts';
import { launchConfigurationCases } from './cases/launch-configs.ts';
import { scalingPolicyCases } from './cases/scaling-policies.ts';
import { scheduledActionCases } from './cases/scheduled-actions.ts';
import { siteCases } from './cases/sites.ts';
import { transactionCases } from './cases/transactions.ts';

/**
 * The Store contract suite: registers node:test cases every Store implementation must pass
 * (SQLite now, PostgreSQL later). `open` must return a fresh, empty store on every call;
 * each case closes the store it opened.
 *
 * Covered: round-trips of every record type with optional fields absent and present,
 * AlreadyExists without partial writes, owner isolation, pagination (names, exclusive
 * `after`, limit, order), compare-and-set conflicts, cascading group deletes, transaction
 * commit/rollback/savepoints, activity order and cursor, metadata, access keys, user limits,
 * the store-wide and per-owner change stamps read caches rely on, launch intents, cloud credentials, CLI-added sites,
 * metric alarms with their history, scheduled actions (due index, run compare-and-set) and scaling policies.
 */
export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    accountCases(open);
    launchConfigurationCases(open);
    groupCases(open);
    instanceCases(open);
    intentCases(open);
    credentialCases(open);
    siteCases(open);
    alarmCases(open);
    scheduledActionCases(open);
    scalingPolicyCases(open);
    activityCases(open);
    transactionCases(open);
    changeStampCases(open);
    ownerChangeStampCases(open);
  });
}
