import {
  getOperationAST,
  GraphQLError,
  Kind,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
  type ValueNode,
} from 'graphql';

export interface GraphQLLimits {
  maxDepth: number;
  maxCost: number;
  introspection: boolean;
}

/** Lists fetch this many nodes when neither `first` nor `last` is given, for costing. */
const assumedPageSize = 30;

export function limitError(message: string, limit: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'INVALID_QUERY', status: 400, limit } });
}

type Variables = Readonly<Record<string, unknown>> | undefined;

/**
 * Page size a `first` or `last` argument asks for (both given is refused at execution, and costed as the
 * larger). A variable counts by its value once the variables are known; before
 * (at validation, once per document) it counts as 1, and the operation is costed again with its variables.
 */
function pageSize(argument: ValueNode | undefined, variables: Variables): number {
  if (!argument) return assumedPageSize;
  if (argument.kind === Kind.INT) return Math.max(1, Number(argument.value));
  if (argument.kind === Kind.VARIABLE) {
    if (!variables) return 1;
    const value = variables[argument.name.value];
    return typeof value === 'number' && Number.isFinite(value) ? Math.max(1, Math.trunc(value)) : assumedPageSize;
  }
  return assumedPageSize;
}

interface Measure {
  depth: number;
  cost: number;
  /** Field selections once fragments are spread, whatever the page sizes: the size of the code graphql-jit makes. */
  fields: number;
  /** `__schema` and `__type` fields: each returns a large part of the schema, so aliasing them is held apart. */
  roots: number;
}

/** Most `__schema` and `__type` fields one operation may select (aliases and fragment spreads included). */
export const maxIntrospectionRoots = 10;

/**
 * Walks an operation once, following fragments: depth is the deepest field path; cost counts each field once
 * per node it can be fetched for (a field under a list of `first: 50` costs 50). Every selection counts, so
 * aliases of one field cost once each; introspection fields count too (once each, whatever the size of the
 * schema, so that the full introspection query of a large schema passes), and at most `maxIntrospectionRoots`
 * `__schema`/`__type` fields are allowed. A fragment is measured once per walk (its cost scales with where it is spread), so
 * fragments spread inside fragments cannot make the walk itself exponential.
 */
class OperationMeasure {
  private readonly fragmentMeasures = new Map<string, Measure>();

  constructor(
    private readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>,
    private readonly variables: Variables,
  ) {}

  measure(selectionSet: SelectionSetNode, multiplier: number, introspection: boolean, visiting: ReadonlySet<string>): Measure {
    let depth = 0;
    let cost = 0;
    let roots = 0;
    let fields = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        cost += multiplier;
        fields += 1;
        if (!introspection && (name === '__schema' || name === '__type')) roots += multiplier;
        if (!selection.selectionSet) {
          if (!introspection && !name.startsWith('__')) depth = Math.max(depth, 1);
          continue;
        }
        const inIntrospection = introspection || name.startsWith('__');
        // A connection (it selects `edges`) fetches up to `first` (or `last`) nodes, 30 when not given.
        const isConnection = !inIntrospection && selection.selectionSet.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'edges');
        const argument = (name: string) => selection.arguments?.find((a) => a.name.value === name)?.value;
        const first = argument('first');
        const last = argument('last');
        const size = !isConnection ? 1 : last && first ? Math.max(pageSize(first, this.variables), pageSize(last, this.variables)) : pageSize(last ?? first, this.variables);
        const inner = this.measure(selection.selectionSet, multiplier * size, inIntrospection, visiting);
        // Introspection is as deep as the type references it asks about: its cost bounds it, not the depth limit.
        if (!inIntrospection) depth = Math.max(depth, inner.depth + 1);
        cost += inner.cost;
        roots += inner.roots;
        fields += inner.fields;
        continue;
      }
      let measured: Measure | undefined;
      if (selection.kind === Kind.INLINE_FRAGMENT) measured = this.measure(selection.selectionSet, multiplier, introspection, visiting);
      else measured = this.spread(selection.name.value, multiplier, introspection, visiting);
      if (!measured) continue;
      depth = Math.max(depth, measured.depth);
      cost += measured.cost;
      roots += measured.roots;
      fields += measured.fields;
    }
    return { depth, cost, roots, fields };
  }

  private spread(name: string, multiplier: number, introspection: boolean, visiting: ReadonlySet<string>): Measure | undefined {
    // A cycle is graphql-js's error to report (NoFragmentCycles); here it just ends the walk.
    if (visiting.has(name)) return undefined;
    const key = `${introspection ? '_' : ''}${name}`;
    let unit = this.fragmentMeasures.get(key);
    if (!unit) {
      const fragment = this.fragments.get(name);
      if (!fragment) return undefined;
      unit = this.measure(fragment.selectionSet, 1, introspection, new Set([...visiting, name]));
      this.fragmentMeasures.set(key, unit);
    }
    return { depth: unit.depth, cost: unit.cost * multiplier, roots: unit.roots * multiplier, fields: unit.fields };
  }
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  return new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
}

function measureOperation(operation: OperationDefinitionNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, variables: Variables): Measure {
  return new OperationMeasure(fragments, variables).measure(operation.selectionSet, 1, false, new Set());
}

function costError(cost: number, limits: GraphQLLimits): GraphQLError {
  return limitError(`The query could fetch ${cost} fields; at most ${limits.maxCost} are allowed (lower \`first\`/\`last\` or select less).`, 'cost');
}

function limitsRule(limits: GraphQLLimits): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = fragmentsOf(context.getDocument());
    return {
      OperationDefinition(node) {
        const { depth, cost, roots } = measureOperation(node, fragments, undefined);
        if (depth > limits.maxDepth) context.reportError(limitError(`The query is ${depth} levels deep; at most ${limits.maxDepth} are allowed.`, 'depth'));
        if (roots > maxIntrospectionRoots) context.reportError(limitError(`The query selects __schema or __type ${roots} times; at most ${maxIntrospectionRoots} are allowed.`, 'introspection'));
        if (cost > limits.maxCost) context.reportError(costError(cost, limits));
      },
    };
  };
}

const variableFirst = new WeakMap<DocumentNode, boolean>();

/** Whether some `first` or `last` in the document is a variable (then the cost depends on the variables). */
function hasVariableFirst(document: DocumentNode): boolean {
  let known = variableFirst.get(document);
  if (known === undefined) {
    known = /\b(?:first|last)\s*:\s*\$/.test(document.loc?.source.body ?? '');
    variableFirst.set(document, known);
  }
  return known;
}

/**
 * The cost check again with the variables, for operations whose `first` or `last` is a variable (validation, cached per
 * document, could only count it as 1). Returns the error to answer with, if any.
 */
export function variableCostError(document: DocumentNode, operationName: string | null | undefined, variables: Variables, limits: GraphQLLimits): GraphQLError | undefined {
  if (!hasVariableFirst(document)) return undefined;
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  // A variable left out takes its default from the operation, as execution will.
  const given: Record<string, unknown> = { ...variables };
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    if (given[name] === undefined && definition.defaultValue?.kind === Kind.INT) given[name] = Number(definition.defaultValue.value);
  }
  const { cost } = measureOperation(operation, fragmentsOf(document), given);
  return cost > limits.maxCost ? costError(cost, limits) : undefined;
}

/** How many field selections the operation has once its fragments are spread (0 when there is no such operation). */
export function fieldSelections(document: DocumentNode, operationName: string | null | undefined): number {
  const operation = getOperationAST(document, operationName);
  return operation ? measureOperation(operation, fragmentsOf(document), undefined).fields : 0;
}

/** Causeway's rules on top of graphql-js's own: the limits, and no introspection when it is turned off. */
export function causewayRules(limits: GraphQLLimits): readonly ValidationRule[] {
  return [limitsRule(limits), ...(limits.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
}

/** Every rule an operation is validated with. */
export function allRules(limits: GraphQLLimits): readonly ValidationRule[] {
  return [...specifiedRules, ...causewayRules(limits)];
}
