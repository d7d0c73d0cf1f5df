import {
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  type ASTVisitor,
  type FragmentDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export interface GraphQLLimits {
  maxDepth: number;
  maxCost: number;
  introspection: boolean;
}

/** Lists fetch this many nodes when `first` is not given, for costing. */
const assumedPageSize = 30;

function limitError(message: string, code: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'INVALID_QUERY', status: 400, limit: code } });
}

/**
 * Walks every operation once, following fragments: depth is the deepest field path; cost counts each field
 * once per node it can be fetched for (a field under a list of `first: 50` costs 50).
 */
function measure(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, multiplier: number, seen: ReadonlySet<string>): { depth: number; cost: number } {
  let depth = 0;
  let cost = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value.startsWith('__')) continue;
      cost += multiplier;
      if (!selection.selectionSet) {
        depth = Math.max(depth, 1);
        continue;
      }
      // A connection (it selects `edges`) fetches up to `first` nodes, 30 when not given as a literal.
      const isConnection = selection.selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'edges');
      const first = selection.arguments?.find((a) => a.name.value === 'first')?.value;
      const pageSize = isConnection ? (first?.kind === Kind.INT ? Math.max(1, Number(first.value)) : assumedPageSize) : 1;
      const inner = measure(selection.selectionSet, fragments, multiplier * pageSize, seen);
      depth = Math.max(depth, inner.depth + 1);
      cost += inner.cost;
      continue;
    }
    const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection.selectionSet : seen.has(selection.name.value) ? undefined : fragments.get(selection.name.value)?.selectionSet;
    if (!fragment) continue;
    const next = selection.kind === Kind.FRAGMENT_SPREAD ? new Set([...seen, selection.name.value]) : seen;
    const measured = measure(fragment, fragments, multiplier, next);
    depth = Math.max(depth, measured.depth);
    cost += measured.cost;
  }
  return { depth, cost };
}

function limitsRule(limits: GraphQLLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
    return {
      OperationDefinition(node) {
        const { depth, cost } = measure(node.selectionSet, fragments, 1, new Set());
        if (depth > limits.maxDepth) context.reportError(limitError(`The query is ${depth} levels deep; at most ${limits.maxDepth} are allowed.`, 'depth'));
        if (cost > limits.maxCost) context.reportError(limitError(`The query could fetch ${cost} fields; at most ${limits.maxCost} are allowed (lower \`first\` or select less).`, 'cost'));
      },
    };
  };
}

/** Causeway's rules on top of graphql-js's own: the limits, and no introspection when it is turned off. */
export function causewayRules(limits: GraphQLLimits): readonly ValidationRule[] {
  return [limitsRule(limits), ...(limits.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
}

/** Every rule an operation is validated with. */
export function allRules(limits: GraphQLLimits): readonly ValidationRule[] {
  return [...specifiedRules, ...causewayRules(limits)];
}
