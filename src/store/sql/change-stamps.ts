import type {
  KyselyPlugin,
  OperationNode,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryId,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from 'kysely';

/** Whose records a write statement touched: these owners, or nobody can say (every owner). */
type Written = { owners: readonly string[] } | 'all' | 'returned-owners';

/** How long another process's commit may go unseen by this one's read caches. */
export const EXTERNAL_CHANGE_WINDOW_MS = 20;

/**
 * The counters behind `Store.changeStamp()` and `Store.ownerChangeStamp(owner)`. They are bumped
 * by {@link ChangeStampPlugin} after each write statement has run, where the SQL executes, so
 * no store method can forget to; and again when a transaction ends, for the owners it wrote.
 */
export class ChangeStamps {
  /** Every write statement and every finished transaction. */
  private writes = 0;
  /** Writes that name no single owner: they change every owner's stamp. */
  private unowned = 0;
  private readonly perOwner = new Map<string, number>();
  /** The owners written by the open transaction (SQLite runs one at a time on its connection). */
  private transactionOwners: Set<string> | 'all' | undefined;
  private external?: { value: number | bigint; at: number };

  /** @param externalVersion Required. The database's count of commits by other connections. */
  constructor(private readonly externalVersion: () => number | bigint) {}

  store(): string {
    return `${this.externalRecent()}:${this.writes}`;
  }

  shared(): string {
    return `${this.externalRecent()}:${this.unowned}`;
  }

  owner(owner: string): string {
    return `${this.externalRecent()}:${this.unowned}:${this.perOwner.get(owner) ?? 0}`;
  }

  /** Records a finished write statement. */
  wrote(owners: readonly string[] | 'all'): void {
    this.writes++;
    if (owners === 'all') this.unowned++;
    else for (const owner of owners) this.perOwner.set(owner, (this.perOwner.get(owner) ?? 0) + 1);
    if (this.transactionOwners === undefined || this.transactionOwners === 'all') return;
    if (owners === 'all') this.transactionOwners = 'all';
    else for (const owner of owners) this.transactionOwners.add(owner);
  }

  /** Starts recording the owners written: call inside a top-level transaction, once it holds the connection. */
  beginTransaction(): void {
    this.transactionOwners = new Set();
  }

  /**
   * Call once a top-level transaction has committed or rolled back: counts it as a write of every
   * owner it wrote, so a reader that took a stamp mid-transaction reads again after it.
   */
  endTransaction(): void {
    const owners = this.transactionOwners ?? new Set<string>();
    this.transactionOwners = undefined;
    this.wrote(owners === 'all' ? 'all' : [...owners]);
  }

  /**
   * Reads the other-connection version at most once per EXTERNAL_CHANGE_WINDOW_MS: it costs a
   * WAL lock round trip, a visible share of each request at thousands per second. Another
   * process's commit (the CLI deleting a key) is seen within 20 ms and changes every stamp.
   */
  private externalRecent(): number | bigint {
    const now = performance.now();
    if (this.external === undefined || now - this.external.at >= EXTERNAL_CHANGE_WINDOW_MS)
      this.external = { value: this.externalVersion(), at: now };
    return this.external.value;
  }
}

/**
 * A Kysely plugin that counts every write statement into {@link ChangeStamps} once it has run,
 * attributed to the owners it names: the `owner` values an INSERT writes, an `owner = value`
 * conjunct of an UPDATE's or DELETE's WHERE, or the `owner` column of the rows it RETURNs. A
 * write it cannot attribute (other tables, raw SQL, DDL) counts for every owner.
 */
export class ChangeStampPlugin implements KyselyPlugin {
  private readonly pending = new WeakMap<QueryId, Written>();

  constructor(private readonly stamps: ChangeStamps) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const written = writtenBy(args.node);
    if (written !== undefined) this.pending.set(args.queryId, written);
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const written = this.pending.get(args.queryId);
    if (written === undefined) return args.result;
    this.pending.delete(args.queryId);
    if (written === 'returned-owners') this.stamps.wrote(args.result.rows.map((row) => String(row.owner)));
    else this.stamps.wrote(written === 'all' ? 'all' : written.owners);
    return args.result;
  }
}

/** Transaction control that writes nothing by itself. */
const CONTROL = /^\s*(savepoint|release|rollback|begin|commit)\b/i;

/** Whose records `node` writes; undefined for statements that write nothing. */
function writtenBy(node: RootOperationNode): Written | undefined {
  switch (node.kind) {
    case 'SelectQueryNode':
      return undefined;
    case 'RawNode':
      return CONTROL.test(node.sqlFragments.join('?')) ? undefined : 'all';
    case 'InsertQueryNode':
      return insertedOwners(node.columns ?? [], node.values);
    case 'UpdateQueryNode':
    case 'DeleteQueryNode':
      return ownerInWhere(node.where?.where) ?? (returnsOwner(node.returning) ? 'returned-owners' : 'all');
    default:
      return 'all';
  }
}

const columnName = (node: OperationNode | undefined): string | undefined => {
  if (node?.kind === 'ColumnNode') return (node as { column: { name: string } } & OperationNode).column.name;
  if (node?.kind === 'ReferenceNode') return columnName((node as { column: OperationNode } & OperationNode).column);
  return undefined;
};

function insertedOwners(columns: readonly OperationNode[], values: OperationNode | undefined): Written {
  const index = columns.findIndex((c) => columnName(c) === 'owner');
  if (index < 0 || values?.kind !== 'ValuesNode') return 'all';
  const owners: string[] = [];
  for (const row of (values as { values: readonly OperationNode[] } & OperationNode).values) {
    const cell =
      row.kind === 'PrimitiveValueListNode'
        ? (row as { values: readonly unknown[] } & OperationNode).values[index]
        : valueOf((row as { values: readonly OperationNode[] } & OperationNode).values[index]);
    if (typeof cell !== 'string') return 'all';
    owners.push(cell);
  }
  return { owners };
}

const valueOf = (node: OperationNode | undefined): unknown =>
  node?.kind === 'ValueNode' ? (node as { value: unknown } & OperationNode).value : undefined;

/** The owner of an `owner = 'x'` term ANDed into the condition, if there is one. */
function ownerInWhere(condition: OperationNode | undefined): { owners: string[] } | undefined {
  if (condition === undefined) return undefined;
  if (condition.kind === 'AndNode') {
    const { left, right } = condition as { left: OperationNode; right: OperationNode } & OperationNode;
    return ownerInWhere(left) ?? ownerInWhere(right);
  }
  if (condition.kind !== 'BinaryOperationNode') return undefined;
  const term = condition as {
    leftOperand: OperationNode;
    operator: OperationNode;
    rightOperand: OperationNode;
  } & OperationNode;
  const operator = (term.operator as { operator?: string } & OperationNode).operator;
  const owner = valueOf(term.rightOperand);
  return columnName(term.leftOperand) === 'owner' && operator === '=' && typeof owner === 'string'
    ? { owners: [owner] }
    : undefined;
}

function returnsOwner(returning: { selections: readonly OperationNode[] } | undefined): boolean {
  return (returning?.selections ?? []).some(
    (s) => columnName((s as { selection?: OperationNode } & OperationNode).selection) === 'owner',
  );
}
