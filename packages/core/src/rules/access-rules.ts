import { CausewayError } from '../errors/causeway-error.js';
import { parseFilter, resolveFilter, type Condition, type FilterNode, type RelationHop } from '../query/index.js';
import type { Collection, RuleAction } from '../schema/collection.js';
import type { SchemaRegistry } from '../schema/schema-registry.js';
import { isPrivileged, type Caller } from './caller.js';
import { requestVariables } from './rule-variables.js';

/**
 * What a rule says for one caller: `allow` everything, `deny` the action outright (admins only), or
 * allow the records matching `condition`, which the reader and writer compile into their SQL.
 */
export type RuleVerdict = { kind: 'allow' } | { kind: 'deny' } | { kind: 'where'; condition: Condition };

const allow: RuleVerdict = { kind: 'allow' };
const deny: RuleVerdict = { kind: 'deny' };
const capacity = 1000;

/** Evaluates collection rules for a caller. Rule text is parsed once; variables are bound per request. */
export class AccessRules {
  private readonly parsed = new Map<string, FilterNode>();

  constructor(private readonly schema: SchemaRegistry) {}

  verdict(collection: Collection, action: RuleAction, caller: Caller, body?: Readonly<Record<string, unknown>>): RuleVerdict {
    if (isPrivileged(caller)) return allow;
    const rule = collection[`${action}Rule`];
    if (rule === null) return deny;
    if (rule.trim() === '') return allow;
    const condition = resolveFilter(this.parse(rule), collection, this.schema, { variables: requestVariables(caller, action, body) });
    if (condition.kind === 'const') return condition.value ? allow : { kind: 'where', condition };
    return { kind: 'where', condition };
  }

  /**
   * A client's condition (filter, live query, subscription), with every relation hop bounded by the caller's
   * view of its target: a client reaches through a relation only records it could read by id. Rules are not
   * bounded (an admin wrote them), so a rule's own hops keep no view. Returns `condition` itself when nothing
   * needs bounding (admins, no relation hops, targets anyone may view).
   */
  bounded(condition: Condition, caller: Caller): Condition {
    if (isPrivileged(caller)) return condition;
    const views = new Map<string, Condition | undefined>();
    const viewOf = (hop: RelationHop): Condition | undefined => {
      if (!views.has(hop.target.name)) {
        const verdict = this.verdict(hop.target, 'view', caller);
        views.set(hop.target.name, verdict.kind === 'allow' ? undefined : verdict.kind === 'deny' ? { kind: 'const', value: false } : verdict.condition);
      }
      return views.get(hop.target.name);
    };
    const bound = (c: Condition): Condition => {
      switch (c.kind) {
        case 'and':
        case 'or': {
          const items = c.items.map(bound);
          return items.every((item, i) => item === c.items[i]) ? c : { kind: c.kind, items };
        }
        case 'not': {
          const item = bound(c.item);
          return item === c.item ? c : { kind: 'not', item };
        }
        case 'const':
          return c;
        default: {
          if (c.path.hops.length === 0) return c;
          const hops = c.path.hops.map((hop) => {
            const view = viewOf(hop);
            return view ? { ...hop, view } : hop;
          });
          return hops.every((hop, i) => hop === c.path.hops[i]) ? c : { ...c, path: { ...c.path, hops } };
        }
      }
    };
    return bound(condition);
  }

  /** Refuses with 403 when the action is for admins only (whatever the request says). */
  refuseAdminsOnly(collection: Collection, action: RuleAction, caller: Caller): void {
    if (!isPrivileged(caller) && collection[`${action}Rule`] === null) throw forbidden(collection, action);
  }

  /** The verdict, refusing with 403 when the action is for admins only. */
  require(collection: Collection, action: RuleAction, caller: Caller, body?: Readonly<Record<string, unknown>>): Exclude<RuleVerdict, { kind: 'deny' }> {
    const verdict = this.verdict(collection, action, caller, body);
    if (verdict.kind === 'deny') throw forbidden(collection, action);
    return verdict;
  }

  private parse(rule: string): FilterNode {
    let node = this.parsed.get(rule);
    if (!node) {
      node = parseFilter(rule);
      if (this.parsed.size >= capacity) this.parsed.delete(this.parsed.keys().next().value!);
      this.parsed.set(rule, node);
    }
    return node;
  }
}

const verbs: Record<RuleAction, string> = { list: 'list records of', view: 'view records of', create: 'create records in', update: 'update records in', delete: 'delete records in' };

export function forbidden(collection: Collection, action: RuleAction): CausewayError {
  return new CausewayError('FORBIDDEN', `You are not allowed to ${verbs[action]} '${collection.name}'.`, { extra: { action } });
}
