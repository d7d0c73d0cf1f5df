import { useEffect, useState } from 'preact/hooks';
import { client, type FieldDraft } from './api.js';

const imageName = /\.(png|jpg|gif|webp|avif)$/;

/** A short-lived file token for previews of protected files, fetched once per form. */
export function useFileToken(): string | undefined {
  const [token, setToken] = useState<string>();
  useEffect(() => {
    client.fileToken().then((issued) => setToken(issued.token), () => setToken(undefined));
  }, []);
  return token;
}

/**
 * A file field in the record form: the files the record holds (image previews, a remove button each) and a
 * drop zone (or a file picker) for new ones, which are uploaded with the record when it is saved.
 */
export function FileInput({ collection, recordId, field, names, pending, token, onNames, onPending }: {
  collection: string;
  recordId: string | undefined;
  field: FieldDraft;
  names: string[];
  pending: File[];
  token: string | undefined;
  onNames: (names: string[]) => void;
  onPending: (files: File[]) => void;
}) {
  const [over, setOver] = useState(false);
  const add = (files: FileList | null | undefined) => {
    if (!files || files.length === 0) return;
    const chosen = [...files];
    onPending(field.multiple ? [...pending, ...chosen] : chosen.slice(0, 1));
  };
  const api = client.collection(collection);
  return (
    <div class="file-input">
      <span>{field.name}{field.required ? ' *' : ''}</span>
      <ul class="files">
        {recordId &&
          names.map((name) => (
            <li key={name}>
              {imageName.test(name) ? (
                <img class="preview" alt={name} src={api.fileUrl({ id: recordId }, name, { ...(field.thumbs?.[0] ? { thumb: field.thumbs[0] } : {}), ...(token ? { token } : {}) })} />
              ) : (
                <a href={api.fileUrl({ id: recordId }, name, token ? { token } : {})} target="_blank" rel="noreferrer">{name}</a>
              )}
              <button type="button" class="link" aria-label={`Remove ${name}`} onClick={() => onNames(names.filter((n) => n !== name))}>Remove</button>
            </li>
          ))}
        {pending.map((file, i) => (
          <li key={`new-${i}`} class="pending">
            {file.name} ({Math.ceil(file.size / 1024)} KB, uploaded on save)
            <button type="button" class="link" aria-label={`Remove new ${file.name}`} onClick={() => onPending(pending.filter((_, j) => j !== i))}>Remove</button>
          </li>
        ))}
      </ul>
      <label
        class={over ? 'drop-zone over' : 'drop-zone'}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          add(e.dataTransfer?.files);
        }}
      >
        Drop {field.multiple ? 'files' : 'a file'} here or choose
        <input type="file" name={field.name} aria-label={`Upload ${field.name}`} multiple={!!field.multiple} onChange={(e) => add(e.currentTarget.files)} />
      </label>
    </div>
  );
}
