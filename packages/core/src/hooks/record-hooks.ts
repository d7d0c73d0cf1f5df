import type { CausewayRecord } from '../records/record.js';
import type { Caller } from '../rules/caller.js';
import type { HookRecords } from './hook-records.js';

export type WriteAction = 'create' | 'update' | 'delete';

/** What a before-hook sees. Changing `data` in place changes what is written. */
export interface BeforeWriteEvent<Data = Record<string, unknown>> {
  collection: string;
  action: WriteAction;
  /** The body as the client sent it (create, update); `{}` for a delete. Fields a hook sets may be read-only or hidden. */
  data: Data;
  /** The stored record with its hidden fields (update, delete); `null` on create. */
  record: CausewayRecord | null;
  caller: Caller;
  /** Records as `caller`, inside the write's transaction: what a hook reads and writes here commits or rolls back with it. */
  records: HookRecords;
}

/** What an after-hook sees: the record as written (hidden fields included), still inside the transaction. */
export interface AfterWriteEvent<Rec = CausewayRecord> {
  collection: string;
  action: WriteAction;
  /** The record after the write (for a delete, as it was). */
  record: Rec;
  /** The record before the write; `null` on create. */
  previous: Rec | null;
  caller: Caller;
  records: HookRecords;
}

export type BeforeWriteHook = (event: BeforeWriteEvent) => void | Promise<void>;
export type AfterWriteHook = (event: AfterWriteEvent) => void | Promise<void>;

/** One registered record hook; `collection` is a name or `'*'` for every collection. */
export type WriteHookRegistration =
  | { phase: 'before'; action: WriteAction; collection: string; run: BeforeWriteHook; source: string }
  | { phase: 'after'; action: WriteAction; collection: string; run: AfterWriteHook; source: string };

type Phase = WriteHookRegistration['phase'];
type Registered<P extends Phase> = Extract<WriteHookRegistration, { phase: P }>;
export type BeforeRegistration = Registered<'before'>;
export type AfterRegistration = Registered<'after'>;

const none: readonly never[] = Object.freeze([]);

/**
 * The record hooks in force. Replaced whole (a `--dev` reload), so a write runs the old set or the new one,
 * never a mix: the writer takes `current()` once per write.
 */
export class WriteHooks {
  private table: HookTable = new HookTable([]);

  /** Installs a new set of hooks in one assignment. */
  replace(registrations: readonly WriteHookRegistration[]): void {
    this.table = new HookTable(registrations);
  }

  current(): HookTable {
    return this.table;
  }
}

/** Hooks by phase, action and collection, collection-specific ones after the `'*'` ones, each in registration order. */
export class HookTable {
  readonly empty: boolean;
  private readonly byKey = new Map<string, WriteHookRegistration[]>();

  constructor(private readonly registrations: readonly WriteHookRegistration[]) {
    this.empty = registrations.length === 0;
  }

  before(action: WriteAction, collection: string): readonly Registered<'before'>[] {
    return this.empty ? none : (this.lookup('before', action, collection) as Registered<'before'>[]);
  }

  after(action: WriteAction, collection: string): readonly Registered<'after'>[] {
    return this.empty ? none : (this.lookup('after', action, collection) as Registered<'after'>[]);
  }

  private lookup(phase: Phase, action: WriteAction, collection: string): readonly WriteHookRegistration[] {
    const key = `${phase} ${action} ${collection}`;
    let found = this.byKey.get(key);
    if (!found) {
      found = [
        ...this.registrations.filter((r) => r.phase === phase && r.action === action && r.collection === '*'),
        ...this.registrations.filter((r) => r.phase === phase && r.action === action && r.collection === collection && collection !== '*'),
      ];
      this.byKey.set(key, found);
    }
    return found;
  }
}
