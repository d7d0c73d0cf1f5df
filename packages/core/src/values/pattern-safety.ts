/** Longest value a field's `pattern` is run on; longer values fail the pattern check without running it. */
export const maxPatternInputLength = 1000;

interface GroupFrame {
  /** A repeating quantifier applies somewhere inside. */
  repeats: boolean;
  /** The group has `|` at its own level. */
  alternation: boolean;
  /** Every alternative so far is one literal character, each a different one (so they never overlap). */
  singleAtoms: boolean;
  /** The literal characters of the alternatives so far. */
  literals: Set<string>;
  /** Atoms in the current alternative. */
  atoms: number;
  /** The current alternative's one atom matches one character. */
  atomIsChar: boolean;
  /** The current alternative's one atom, when it is a plain literal character. */
  literal: string | undefined;
}

const newFrame = (): GroupFrame => ({ repeats: false, alternation: false, singleAtoms: true, literals: new Set(), atoms: 0, atomIsChar: true, literal: undefined });

/** Closes the current alternative of a frame: it keeps `singleAtoms` only if it was a new literal character. */
function endAlternative(frame: GroupFrame): void {
  const literal = frame.atoms === 1 ? frame.literal : undefined;
  frame.singleAtoms &&= literal !== undefined && !frame.literals.has(literal);
  if (literal !== undefined) frame.literals.add(literal);
}

/** Reads the quantifier at `i`, if any: its length, and whether it repeats (more than once). */
function quantifierAt(pattern: string, i: number): { length: number; repeats: boolean } | undefined {
  const c = pattern[i];
  let length = 0;
  let repeats = false;
  if (c === '*' || c === '+') [length, repeats] = [1, true];
  else if (c === '?') [length, repeats] = [1, false];
  else if (c === '{') {
    const match = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
    if (!match) return undefined;
    length = match[0].length;
    repeats = match[2] !== undefined && (match[3] === '' || Number(match[3]) > 1);
    if (match[2] === undefined) repeats = Number(match[1]) > 1;
  } else return undefined;
  // A lazy or possessive-looking suffix belongs to the quantifier.
  if (pattern[i + length] === '?') length++;
  return { length, repeats };
}

/**
 * Why a pattern could backtrack catastrophically, or undefined when it cannot in the ways checked. A
 * conservative, static check (JavaScript has no linear-time engine built in): it refuses a repeated group that
 * itself repeats something (`(a+)+`, `(\w+\s?)*`, star height above one), a repeated group with alternatives
 * that are not distinct single characters (`(a|ab)*`, `(a|a)+`), and back-references. Safe patterns like
 * `^[a-z0-9-]+$`, `(ab|cd)?` or `(a|b)+` pass.
 */
export function unsafePatternReason(pattern: string): string | undefined {
  const stack: GroupFrame[] = [newFrame()];
  const top = () => stack[stack.length - 1]!;
  // What the last atom was: a group's frame, a single character, or something longer.
  let last: { group?: GroupFrame; isChar: boolean } | undefined;
  const atom = (isChar: boolean, group?: GroupFrame, literal?: string) => {
    const frame = top();
    frame.atoms++;
    frame.atomIsChar = frame.atoms === 1 && isChar;
    frame.literal = frame.atoms === 1 ? literal : undefined;
    last = group ? { group, isChar } : { isChar };
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const quantifier = quantifierAt(pattern, i);
    if (quantifier && last) {
      if (quantifier.repeats) {
        const group = last.group;
        if (group?.repeats) return 'a repeated group repeats something inside it (nested quantifiers, like (a+)+)';
        if (group?.alternation && !group.singleAtoms) return 'a repeated group has alternatives longer than one character (like (a|ab)*)';
        top().repeats = true;
      }
      if (last.group?.repeats) top().repeats = true;
      // The quantified atom is no longer a single character.
      if (quantifier.repeats) {
        top().atomIsChar = false;
        top().literal = undefined;
      }
      last = undefined;
      i += quantifier.length - 1;
      continue;
    }
    if (c === '\\') {
      const next = pattern[i + 1] ?? '';
      if (/[1-9]/.test(next) || next === 'k') return 'back-references are not allowed';
      // \u{...}, \p{...}, \xhh, \uhhhh are one character each; skip their bodies.
      const body = /^\\(u\{[0-9a-fA-F]+\}|[pP]\{[^}]*\}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|c[A-Za-z]|.)/s.exec(pattern.slice(i));
      i += (body?.[0].length ?? 2) - 1;
      atom(!/^[bB]$/.test(next));
      continue;
    }
    if (c === '[') {
      i++;
      if (pattern[i] === '^') i++;
      if (pattern[i] === ']') i++;
      while (i < pattern.length && pattern[i] !== ']') i += pattern[i] === '\\' ? 2 : 1;
      atom(true);
      continue;
    }
    if (c === '(') {
      if (pattern[i + 1] === '?') {
        const prefix = /^\(\?(:|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(pattern.slice(i));
        i += (prefix?.[0].length ?? 2) - 1;
      }
      stack.push(newFrame());
      last = undefined;
      continue;
    }
    if (c === ')') {
      const group = stack.length > 1 ? stack.pop()! : newFrame();
      if (group.alternation) endAlternative(group);
      if (group.repeats) top().repeats = true;
      atom(!group.alternation && group.atoms === 1 && group.atomIsChar, group);
      continue;
    }
    if (c === '|') {
      const frame = top();
      endAlternative(frame);
      frame.alternation = true;
      frame.atoms = 0;
      frame.atomIsChar = true;
      frame.literal = undefined;
      last = undefined;
      continue;
    }
    if (c === '^' || c === '$') {
      last = undefined;
      continue;
    }
    atom(true, undefined, c === '.' ? undefined : c);
  }
  return undefined;
}
