import {
  execute as interpret,
  getOperationAST,
  isInputObjectType,
  isListType,
  isNonNullType,
  parse,
  typeFromAST,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLError,
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLSchema,
  type ValidationRule,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { nestsDeeperThan } from './document-nesting.js';
import { fieldSelections, limitError } from './limits.js';

export type PromiseOrValue<T> = T | Promise<T>;
type Compiled = CompiledQuery<Record<string, unknown>, Record<string, unknown>> | ExecutionResult | 'interpret';

/** Deepest nesting of braces, brackets and parentheses a document may have (graphql-js recurses on each). */
export const maxDocumentNesting = 256;
/** Most tokens a document may have: parsing and validation time grow with it, some rules faster than linearly. */
export const maxDocumentTokens = 20_000;

/**
 * Memory the cache may hold, estimated (see the weights below): a client that sends a stream of distinct
 * documents makes the cache forget the oldest, never grow past this.
 */
export const documentCacheBudgetBytes = 32 * 1024 * 1024;
/**
 * Estimated bytes held per byte of a valid document's text once parsed and validated: measured at 95–100 (the
 * AST keeps every token for error locations). Invalid documents are not kept: their errors hold even more.
 */
const bytesPerSourceByte = 128;
/** Estimated bytes of graphql-jit code per field selection: measured at 320–370 for operations within the limit below. */
const bytesPerCompiledField = 1024;
/**
 * Operations with more field selections run in graphql-js instead: graphql-jit unfolds every fragment spread into
 * code of its own, so one 50 KB document with a fragment spread a thousand times held 39 MB, and took as long
 * to compile as hundreds of executions.
 */
export const maxCompiledFields = 1_000;

interface Entry {
  source: string;
  document: DocumentNode;
  /**
   * Estimated bytes held for the document: its AST, plus the code compiled for its operations (for each schema
   * it ran on: code for a schema that is gone still counts until the document goes, which errs on the safe side).
   */
  weight: number;
  /** False once forgotten: a request still running it may compile it, but that no longer counts here. */
  cached: boolean;
}

/**
 * Parsed, validated and compiled operations, by text and schema. Clients send the same few operations over and
 * over, and parsing, validating and compiling cost more than executing a small query. Validation results and
 * compiled code are kept per schema object, so a schema change (a new object) starts afresh, and per document, so
 * they go when the document is forgotten. The cache is bounded by estimated memory, least recently used first out.
 */
export class DocumentCache {
  private readonly parsed = new Map<string, Entry>();
  private readonly entries = new WeakMap<DocumentNode, Entry>();
  private readonly validated = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, readonly GraphQLError[]>>();
  private readonly compiled = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, Compiled>>>();
  private weight = 0;

  constructor(private readonly budgetBytes = documentCacheBudgetBytes) {}

  parse(source: string): DocumentNode {
    const cached = this.parsed.get(source);
    if (cached) {
      // Most recently used last, so the oldest is first to go.
      this.parsed.delete(source);
      this.parsed.set(source, cached);
      return cached.document;
    }
    // Checked before parsing (graphql-js recurses on nesting); a cached text has passed already.
    if (nestsDeeperThan(source, maxDocumentNesting)) throw limitError(`The document nests deeper than ${maxDocumentNesting} levels.`, 'nesting');
    const document = parse(source, { maxTokens: maxDocumentTokens });
    const entry: Entry = { source, document, weight: 0, cached: true };
    this.parsed.set(source, entry);
    this.entries.set(document, entry);
    this.add(entry, source.length * bytesPerSourceByte);
    return document;
  }

  validate(schema: GraphQLSchema, document: DocumentNode, rules: readonly ValidationRule[]): readonly GraphQLError[] {
    let bySchema = this.validated.get(schema);
    if (!bySchema) this.validated.set(schema, (bySchema = new WeakMap()));
    let errors = bySchema.get(document);
    if (!errors) {
      errors = validate(schema, document, rules);
      if (errors.length > 0) this.forget(document);
      bySchema.set(document, errors);
    }
    return errors;
  }

  /**
   * Runs a query or mutation compiled to JavaScript by graphql-jit (once per operation and schema): several
   * times faster than interpreting the document on every request.
   */
  execute(args: ExecutionArgs): PromiseOrValue<ExecutionResult> {
    let bySchema = this.compiled.get(args.schema);
    if (!bySchema) this.compiled.set(args.schema, (bySchema = new WeakMap()));
    let byOperation = bySchema.get(args.document);
    if (!byOperation) bySchema.set(args.document, (byOperation = new Map()));
    const name = args.operationName ?? '';
    let compiled = byOperation.get(name);
    if (!compiled) {
      compiled = this.compile(args);
      byOperation.set(name, compiled);
    }
    if (compiled === 'interpret') return interpret(args);
    if (!isCompiledQuery(compiled)) return compiled as ExecutionResult;
    return compiled.query(args.rootValue, args.contextValue, (args.variableValues ?? {}) as Record<string, unknown>) as PromiseOrValue<ExecutionResult>;
  }

  private compile(args: ExecutionArgs): Compiled {
    if (needsInterpreter(args.schema, args.document, args.operationName)) return 'interpret';
    const fields = fieldSelections(args.document, args.operationName);
    if (fields > maxCompiledFields) return 'interpret';
    const compiled = compileQuery(args.schema, args.document, args.operationName ?? undefined) as Compiled;
    const entry = this.entries.get(args.document);
    if (entry) this.add(entry, fields * bytesPerCompiledField);
    return compiled;
  }

  private add(entry: Entry, bytes: number): void {
    if (!entry.cached) return;
    entry.weight += bytes;
    this.weight += bytes;
    for (const oldest of this.parsed.values()) {
      if (this.weight <= this.budgetBytes || oldest === entry) break;
      this.forget(oldest.document);
    }
  }

  private forget(document: DocumentNode): void {
    const entry = this.entries.get(document);
    if (!entry?.cached) return;
    entry.cached = false;
    this.weight -= entry.weight;
    this.parsed.delete(entry.source);
  }
}

/** Whether a variable's type is (or holds) an input object that contains itself, like every `…Where`. */
function isRecursiveInput(type: GraphQLInputType, path: Set<GraphQLInputObjectType> = new Set()): boolean {
  const named = isNonNullType(type) || isListType(type) ? isRecursiveInput(type.ofType as GraphQLInputType, path) : undefined;
  if (named !== undefined) return named;
  if (!isInputObjectType(type)) return false;
  if (path.has(type)) return true;
  path.add(type);
  const recursive = Object.values(type.getFields()).some((field) => isRecursiveInput(field.type, path));
  path.delete(type);
  return recursive;
}

/**
 * graphql-jit generates the code that coerces variables by unfolding their types, which never ends for a
 * recursive input type (a `…Where` holds `AND: [Where!]`): such operations are run by graphql-js instead.
 */
function needsInterpreter(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  return (operation?.variableDefinitions ?? []).some((definition) => {
    const type = typeFromAST(schema, definition.type as Parameters<typeof typeFromAST>[1]);
    return type !== undefined && isRecursiveInput(type as GraphQLInputType);
  });
}
