import type { FilterNode, Operand } from './filter-ast.js';

function printOperand(operand: Operand): string {
  switch (operand.kind) {
    case 'path':
      return operand.segments.join('.');
    case 'variable':
      return operand.name;
    case 'literal':
      return operand.value === null ? 'null' : JSON.stringify(operand.value);
  }
}

/** Prints a filter back to text that parses to the same tree (fully parenthesised). */
export function printFilter(node: FilterNode): string {
  switch (node.kind) {
    case 'and':
      return `(${printFilter(node.left)} && ${printFilter(node.right)})`;
    case 'or':
      return `(${printFilter(node.left)} || ${printFilter(node.right)})`;
    case 'not':
      return `!(${printFilter(node.operand)})`;
    case 'compare':
      return `${printOperand(node.left)} ${node.op} ${printOperand(node.right)}`;
    case 'in':
      return `${printOperand(node.left)} in [${node.items.map(printOperand).join(', ')}]`;
    case 'isNull':
      return `${printOperand(node.operand)} is ${node.negated ? 'not ' : ''}null`;
  }
}
