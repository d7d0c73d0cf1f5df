import { useState } from 'preact/hooks';
import type { RecordInputKind } from '@causeway/wire';
import type { FieldDraft } from './api.js';

/**
 * A comma-separated list, kept as typed: parsing on every keystroke would drop the comma just typed (a controlled
 * input shows the parsed value back), so "author, " could never become "author, title".
 */
export function ListInput({ value, onChange, ...props }: { value: readonly string[]; onChange: (items: string[]) => void; 'aria-label': string; placeholder?: string }) {
  const [text, setText] = useState(value.join(', '));
  return (
    <input
      {...props}
      value={typed(text, value, splitList, (v) => v.join(', '))}
      onInput={(e) => {
        setText(e.currentTarget.value);
        onChange(splitList(e.currentTarget.value));
      }}
    />
  );
}

const splitList = (text: string) => text.split(',').map((v) => v.trim()).filter(Boolean);

/** The text as typed while it still means `value`; once `value` changed elsewhere (a row removed above), `value`. */
function typed<T>(text: string, value: T, parse: (text: string) => unknown, format: (value: T) => string): string {
  return JSON.stringify(parse(text)) === JSON.stringify(value) ? text : format(value);
}

/** The value a record gets when it leaves the field out, typed as the field's type needs it. */
export function DefaultInput({ field, input, list, label, onChange }: { field: FieldDraft; input: RecordInputKind; list: boolean; label: string; onChange: (change: Partial<FieldDraft>) => void }) {
  const value = field.default;
  // The text as typed: parsing on every keystroke must not rewrite it (`1.` stays `1.` until the next digit).
  const format = (v: unknown) => (v === undefined ? '' : input === 'json' ? JSON.stringify(v) : Array.isArray(v) ? v.join(', ') : String(v));
  const [text, setText] = useState(format(value));
  if (input === 'checkbox') {
    return (
      <label class="inline small">
        default
        <select aria-label={`${label} default`} value={value === undefined ? '' : String(value)} onChange={(e) => onChange({ default: e.currentTarget.value === '' ? undefined : e.currentTarget.value === 'true' })}>
          <option value="">none</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </select>
      </label>
    );
  }
  const parse = (text: string): unknown => {
    if (text.trim() === '') return undefined;
    if (input === 'number') return Number.isNaN(Number(text)) ? text : Number(text);
    if (list) return splitList(text);
    if (input === 'json') {
      try {
        return JSON.parse(text);
      } catch {
        // The server names the problem under the field.
        return text;
      }
    }
    return text;
  };
  return (
    <label class="inline small">
      default
      <input
        aria-label={`${label} default`}
        size={10}
        value={typed(text, value, parse, format)}
        onInput={(e) => {
          setText(e.currentTarget.value);
          onChange({ default: parse(e.currentTarget.value) });
        }}
      />
    </label>
  );
}
