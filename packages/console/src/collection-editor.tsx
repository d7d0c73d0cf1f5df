import { useState } from 'preact/hooks';
import { fieldErrors, message, request, ruleNames, type CollectionDefinition, type CollectionDraft, type FieldDraft, type FieldTypes } from './api.js';
import { DefinitionOption } from './definition-options.js';
import { DefaultInput, ListInput } from './field-inputs.js';
import type { FieldType, FieldVisibility } from '@causeway/wire';

/** Fields the server gives every auth collection and keeps as it defines them: shown, never editable. */
const accountFields = ['email', 'verified', 'passwordHash'];

type IndexDraft = NonNullable<CollectionDraft['indexes']>[number];

function blank(): CollectionDraft {
  return { name: '', type: 'base', fields: [], listRule: null, viewRule: null, createRule: null, updateRule: null, deleteRule: null };
}

/** Create or edit a collection: fields with their options, and the five rules with the server's errors inline. */
export function CollectionEditor({ existing, collections, types, onSaved, onDeleted }: { existing?: CollectionDefinition; collections: CollectionDefinition[]; types: FieldTypes; onSaved: (name: string) => void; onDeleted: () => void }) {
  const [draft, setDraft] = useState<CollectionDraft>(() => (existing ? structuredClone(existing) : blank()));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState('');
  const update = (change: Partial<CollectionDraft>) => setDraft({ ...draft, ...change });
  const setField = (index: number, change: Partial<FieldDraft>) => update({ fields: draft.fields.map((f, i) => (i === index ? { ...f, ...change } : f)) });
  const indexes = draft.indexes ?? [];
  const setIndex = (index: number, change: Partial<IndexDraft>) => update({ indexes: indexes.map((x, i) => (i === index ? { ...x, ...change } : x)) });

  const save = async (confirm = false) => {
    setErrors({});
    setError('');
    const { id: _id, ...body } = draft as CollectionDraft & { created?: string; updated?: string };
    delete (body as { created?: string }).created;
    delete (body as { updated?: string }).updated;
    try {
      if (existing) await request('PATCH', `/api/collections/${encodeURIComponent(existing.name)}${confirm ? '?confirm=true' : ''}`, body);
      else await request('POST', '/api/collections', body);
      onSaved(draft.name);
    } catch (caught) {
      const problem = (caught as { problem?: { code?: string; loss?: Record<string, number> } }).problem;
      if (problem?.code === 'CONFIRMATION_REQUIRED' && window.confirm(`${message(caught)}\n\nDelete that data?`)) return save(true);
      setError(message(caught));
      setErrors(fieldErrors(caught));
    }
  };

  const remove = async (confirm = false) => {
    if (!existing) return;
    try {
      await request('DELETE', `/api/collections/${encodeURIComponent(existing.name)}${confirm ? '?confirm=true' : ''}`);
      onDeleted();
    } catch (caught) {
      const code = (caught as { code?: string }).code;
      if (code === 'CONFIRMATION_REQUIRED' && window.confirm(`${message(caught)}\n\nDelete the collection and its records?`)) return remove(true);
      setError(message(caught));
    }
  };

  return (
    <section class="editor" aria-labelledby="editor-title">
      <h2 id="editor-title">{existing ? `Edit ${existing.name}` : 'New collection'}</h2>
      <label>
        Name
        <input name="collection-name" value={draft.name} disabled={!!existing} onInput={(e) => update({ name: e.currentTarget.value })} />
      </label>
      {errors.name && <p class="field-error">{errors.name}</p>}
      <label>
        Type
        <select name="collection-type" value={draft.type} disabled={!!existing} onChange={(e) => update({ type: e.currentTarget.value as 'base' | 'auth' })}>
          <option value="base">base</option>
          <option value="auth">auth (accounts)</option>
        </select>
      </label>
      <h3>Fields</h3>
      <table class="fields">
        <thead>
          <tr><th>Name</th><th>Type</th><th>Required</th><th>Options</th><th></th></tr>
        </thead>
        <tbody>
          {draft.fields.map((field, index) =>
            draft.type === 'auth' && accountFields.includes(field.name) ? (
              <tr key={index} class="locked">
                <td><code>{field.name}</code></td>
                <td>{field.type}</td>
                <td>{field.required ? 'yes' : 'no'}</td>
                <td colSpan={2}>
                  <span class="badge">system field, fixed by the server</span>
                  {field.name === 'email' && <VisibilitySelect field={field} label={`Field ${index + 1}`} auth onChange={(change) => setField(index, change)} />}
                </td>
              </tr>
            ) : (
            <tr key={index}>
              <td>
                <input aria-label={`Field ${index + 1} name`} value={field.name} onInput={(e) => setField(index, { name: e.currentTarget.value })} />
                {Object.entries(errors).filter(([key]) => key === `fields.${index}` || key.startsWith(`fields.${index}.`)).map(([key, text]) => <p key={key} class="field-error">{text}</p>)}
              </td>
              <td>
                <select aria-label={`Field ${index + 1} type`} value={field.type} onChange={(e) => setField(index, { type: e.currentTarget.value as FieldType })}>
                  {[...types.keys()].map((type) => <option value={type}>{type}</option>)}
                </select>
              </td>
              <td class="required"><input type="checkbox" aria-label={`Field ${index + 1} required`} checked={!!field.required} onChange={(e) => setField(index, { required: e.currentTarget.checked })} /></td>
              <td>
                {types.get(field.type)?.options.filter((option) => option.essential).map((option) => (
                  <DefinitionOption key={option.key} option={option} field={field} label={`Field ${index + 1}`} collections={collections} onChange={(change) => setField(index, change)} />
                ))}
                {types.get(field.type)?.multiple && (
                  <label class="inline"><input type="checkbox" checked={!!field.multiple} onChange={(e) => setField(index, { multiple: e.currentTarget.checked })} /> multiple</label>
                )}
                <FieldOptions field={field} types={types} collections={collections} label={`Field ${index + 1}`} auth={draft.type === 'auth'} onChange={(change) => setField(index, change)} />
              </td>
              <td><button type="button" class="link" onClick={() => update({ fields: draft.fields.filter((_, i) => i !== index) })} aria-label={`Remove field ${field.name || index + 1}`}>Remove</button></td>
            </tr>
            ),
          )}
        </tbody>
      </table>
      <button type="button" onClick={() => update({ fields: [...draft.fields, { name: '', type: 'text' }] })}>Add field</button>
      <h3>Indexes</h3>
      <p class="hint">Speed up the filters and sorts your app runs most (fields in that order), or make a combination unique. Unique single fields are set on the field itself.</p>
      {indexes.map((index, i) => (
        <div class="index" key={i}>
          <label>
            Index {i + 1} fields
            <ListInput aria-label={`Index ${i + 1} fields`} placeholder="e.g. author, created" value={index.fields} onChange={(fields) => setIndex(i, { fields })} />
          </label>
          <label class="inline"><input type="checkbox" aria-label={`Index ${i + 1} unique`} checked={!!index.unique} onChange={(e) => setIndex(i, { unique: e.currentTarget.checked })} /> unique</label>
          <button type="button" class="link" onClick={() => update({ indexes: indexes.filter((_, j) => j !== i) })} aria-label={`Remove index ${i + 1}`}>Remove</button>
          {Object.entries(errors).filter(([key]) => key === `indexes.${i}` || key.startsWith(`indexes.${i}.`)).map(([key, text]) => <p key={key} class="field-error">{text}</p>)}
        </div>
      ))}
      <button type="button" class="secondary" onClick={() => update({ indexes: [...indexes, { fields: [] }] })}>Add index</button>
      <h3>Rules</h3>
      <p class="hint">Empty: anyone. "admins only": nobody else. Otherwise a filter, e.g. <code>owner = @request.auth.id</code>.</p>
      {ruleNames.map((rule) => (
        <div class="rule" key={rule}>
          <label>
            {rule}
            <input name={rule} disabled={draft[rule] === null} value={draft[rule] ?? ''} placeholder={draft[rule] === null ? 'admins only' : 'anyone'} onInput={(e) => update({ [rule]: e.currentTarget.value })} />
          </label>
          <label class="inline"><input type="checkbox" checked={draft[rule] === null} onChange={(e) => update({ [rule]: e.currentTarget.checked ? null : '' })} /> admins only</label>
          {errors[rule] && <p class="field-error" role="alert">{errors[rule]}</p>}
        </div>
      ))}
      {error && <p class="error" role="alert">{error}</p>}
      <div class="actions">
        <button type="button" onClick={() => void save()}>Save collection</button>
        {existing && <button type="button" class="danger" onClick={() => void remove()}>Delete collection</button>}
      </div>
    </section>
  );
}

/** The options the field's type takes (from its hints: docs/rest.md), beside the flags every field has. */
function FieldOptions({ field, types, collections, label, auth, onChange }: { field: FieldDraft; types: FieldTypes; collections: CollectionDefinition[]; label: string; auth: boolean; onChange: (change: Partial<FieldDraft>) => void }) {
  const hints = types.get(field.type);
  const options = (hints?.options ?? []).filter((option) => !option.essential && (!option.whenMultiple || field.multiple));
  return (
    <details>
      <summary>More options</summary>
      {options.map((option) => <DefinitionOption key={option.key} option={option} field={field} label={label} collections={collections} onChange={onChange} />)}
      {hints?.default && <DefaultInput key={field.type} field={field} input={hints.input} list={hints.multiple && !!field.multiple} label={label} onChange={onChange} />}
      {hints?.unique && !(hints.multiple && field.multiple) && (
        <label class="inline small"><input type="checkbox" checked={!!field.unique} onChange={(e) => onChange({ unique: e.currentTarget.checked })} /> unique</label>
      )}
      <label class="inline small"><input type="checkbox" checked={!!field.hidden} onChange={(e) => onChange({ hidden: e.currentTarget.checked })} /> hidden</label>
      <label class="inline small"><input type="checkbox" checked={!!field.readOnly} onChange={(e) => onChange({ readOnly: e.currentTarget.checked })} /> read-only</label>
      <VisibilitySelect field={field} label={label} auth={auth} onChange={onChange} />
    </details>
  );
}

/** Who may read the field (docs/auth.md, field visibility); `owner` exists on auth collections only. */
function VisibilitySelect({ field, label, auth, onChange }: { field: FieldDraft; label: string; auth: boolean; onChange: (change: Partial<FieldDraft>) => void }) {
  const fallback = auth && field.name === 'email' ? 'owner' : 'everyone';
  return (
    <label class="inline small" title="Who may read this field on records they may view; others cannot filter or sort by it either">
      visible to
      <select aria-label={`${label} visibility`} value={field.visibility ?? fallback} onChange={(e) => onChange({ visibility: e.currentTarget.value as FieldVisibility })}>
        <option value="everyone">everyone who may view the record</option>
        {auth && <option value="owner">the account itself and admins</option>}
        <option value="admins">admins only</option>
      </select>
    </label>
  );
}
