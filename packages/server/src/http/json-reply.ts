type Frame = { array: true; items: readonly unknown[]; i: number } | { array: false; entries: [string, unknown][]; i: number };

function isSkipped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/**
 * JSON.stringify without recursion: the same text for plain data, at any depth. V8's own overflows the stack
 * a few thousand levels down, and a json value stored before Causeway limited their depth may be that deep.
 */
export function stringifyIteratively(root: unknown): string {
  const parts: string[] = [];
  const stack: Frame[] = [];
  const open = (given: unknown): void => {
    const value = given !== null && typeof given === 'object' && typeof (given as { toJSON?: unknown }).toJSON === 'function' ? (given as { toJSON(): unknown }).toJSON() : given;
    if (Array.isArray(value)) {
      parts.push('[');
      stack.push({ array: true, items: value, i: 0 });
    } else if (value !== null && typeof value === 'object') {
      parts.push('{');
      stack.push({ array: false, entries: Object.entries(value).filter(([, v]) => !isSkipped(v)), i: 0 });
    } else {
      parts.push(JSON.stringify(value) ?? 'null');
    }
  };
  open(root);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.array) {
      if (top.i >= top.items.length) {
        parts.push(']');
        stack.pop();
        continue;
      }
      if (top.i > 0) parts.push(',');
      open(top.items[top.i++]);
    } else {
      if (top.i >= top.entries.length) {
        parts.push('}');
        stack.pop();
        continue;
      }
      if (top.i > 0) parts.push(',');
      const [key, value] = top.entries[top.i++]!;
      parts.push(JSON.stringify(key), ':');
      open(value);
    }
  }
  return parts.join('');
}

/** Fastify's reply serializer: the native one, and the iterative one only for what overflows its stack. */
export function serializeReply(payload: unknown): string {
  try {
    return JSON.stringify(payload);
  } catch (error) {
    if (error instanceof RangeError) return stringifyIteratively(payload);
    throw error;
  }
}
