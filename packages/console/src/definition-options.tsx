import type { DefinitionOptionHint } from '@causeway/wire';
import type { CollectionDefinition, FieldDraft } from './api.js';
import { ListInput } from './field-inputs.js';

const numberOrUndefined = (text: string) => (text.trim() === '' ? undefined : Number(text));
const mbToBytes = (text: string) => (text.trim() === '' ? undefined : Math.round(Number(text) * 1024 * 1024));

/**
 * One type-specific option of a field definition, drawn from its hint (`GET /api/field-types`), so the editor has
 * no code per field type. An emptied input removes the option (the server fills in its default).
 */
export function DefinitionOption({ option, field, label, collections, onChange }: { option: DefinitionOptionHint; field: FieldDraft; label: string; collections: CollectionDefinition[]; onChange: (change: Partial<FieldDraft>) => void }) {
  const value = (field as Record<string, unknown>)[option.key];
  const set = (next: unknown) => onChange({ [option.key]: next } as Partial<FieldDraft>);
  const aria = `${label} ${option.label}`;
  switch (option.control) {
    case 'flag':
      return (
        <label class="inline small" title={option.title}>
          <input type="checkbox" checked={!!value} onChange={(e) => set(e.currentTarget.checked || undefined)} /> {option.label}
        </label>
      );
    case 'list':
      return (
        <label class="inline small" title={option.title}>
          {option.essential ? '' : option.label}
          <ListInput aria-label={aria} placeholder={option.placeholder} value={Array.isArray(value) ? (value as string[]) : []} onChange={(items) => set(items.length || option.essential ? items : undefined)} />
        </label>
      );
    case 'collection':
      return (
        <select aria-label={aria} value={typeof value === 'string' ? value : ''} onChange={(e) => set(e.currentTarget.value)}>
          <option value="">choose a collection</option>
          {collections.map((c) => <option value={c.name}>{c.name}</option>)}
        </select>
      );
    case 'choice':
      return (
        <label class="inline small" title={option.title}>
          {option.label}
          <select aria-label={aria} value={typeof value === 'string' ? value : ''} onChange={(e) => set(e.currentTarget.value || undefined)}>
            <option value="">default</option>
            {(option.choices ?? []).map((choice) => <option value={choice.value}>{choice.label}</option>)}
          </select>
        </label>
      );
    case 'megabytes':
      return (
        <label class="inline small" title={option.title}>
          {option.label} (MB)
          <input aria-label={aria} size={6} value={typeof value === 'number' ? String(value / 1024 / 1024) : ''} onInput={(e) => set(mbToBytes(e.currentTarget.value))} />
        </label>
      );
    case 'number':
    case 'text':
      return (
        <label class="inline small" title={option.title}>
          {option.label}
          <input
            aria-label={aria}
            size={option.control === 'number' ? 5 : undefined}
            value={value === undefined ? '' : String(value)}
            onInput={(e) => set(option.control === 'number' ? numberOrUndefined(e.currentTarget.value) : e.currentTarget.value || undefined)}
          />
        </label>
      );
  }
}
