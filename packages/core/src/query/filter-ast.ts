/** The parsed form of a filter expression, before it is checked against a schema. */

export type LiteralValue = string | number | boolean | null;

export interface PathOperand {
  kind: 'path';
  /** `author.name` → ['author', 'name']. */
  segments: readonly string[];
  pos: number;
}

export interface LiteralOperand {
  kind: 'literal';
  value: LiteralValue;
  pos: number;
}

/** `@request.auth.id`: a value supplied when the filter is resolved (access rules). */
export interface VariableOperand {
  kind: 'variable';
  name: string;
  pos: number;
}

export type Operand = PathOperand | LiteralOperand | VariableOperand;

export type CompareOp = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~' | '!~';

export type FilterNode =
  | { readonly kind: 'and' | 'or'; readonly left: FilterNode; readonly right: FilterNode }
  | { readonly kind: 'not'; readonly operand: FilterNode; readonly pos: number }
  | { readonly kind: 'compare'; readonly op: CompareOp; readonly left: Operand; readonly right: Operand; readonly pos: number }
  | { readonly kind: 'in'; readonly left: Operand; readonly items: readonly Operand[]; readonly pos: number }
  | { readonly kind: 'isNull'; readonly operand: Operand; readonly negated: boolean; readonly pos: number };
