import type { OAuthProviderView } from '@causeway/wire';
import { useEffect, useState } from 'preact/hooks';
import { fieldErrors, message, request, type CollectionDefinition } from './api.js';

/** A provider as the server lists it to admins: never its client secret. */
type Provider = OAuthProviderView;

/** The form's text: lists as text, the secret empty unless a new one is typed. */
interface Draft {
  name: string;
  preset: string;
  displayName: string;
  issuer: string;
  tenant: string;
  clientId: string;
  clientSecret: string;
  scopes: string;
  redirectUris: string;
  enabled: boolean;
}

const presets = [
  ['oidc', 'OpenID Connect (issuer URL)'],
  ['google', 'Google'],
  ['gitlab', 'GitLab'],
  ['microsoft', 'Microsoft (tenant)'],
] as const;

const emptyDraft: Draft = { name: '', preset: 'oidc', displayName: '', issuer: '', tenant: '', clientId: '', clientSecret: '', scopes: 'openid email profile', redirectUris: '', enabled: true };

/** Google's and Microsoft's issuers come from the preset (Microsoft's from the tenant); the others are shown. */
const draftOf = (p: Provider): Draft => ({
  ...p,
  clientSecret: '',
  scopes: p.scopes.join(' '),
  redirectUris: p.redirectUris.join('\n'),
  issuer: p.preset === 'oidc' || p.preset === 'gitlab' ? p.issuer : '',
  tenant: p.preset === 'microsoft' ? (/microsoftonline\.com\/([^/]+)\//.exec(p.issuer)?.[1] ?? '') : '',
});

const providersPath = (realm: string, name = '') => `/api/collections/${encodeURIComponent(realm)}/oauth-providers${name ? `/${encodeURIComponent(name)}` : ''}`;

/**
 * Sign-in providers (OpenID Connect) per auth collection: list, add, change, remove. The client secret is
 * write-only: the server says only whether one is stored, and an empty field keeps it. See docs/auth.md.
 */
export function SignInProvidersView() {
  const [realms, setRealms] = useState<string[] | null>(null);
  const [realm, setRealm] = useState('');
  const [providers, setProviders] = useState<Provider[]>([]);
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [editing, setEditing] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState('');

  const load = async (name: string) => setProviders(await request<Provider[]>('GET', providersPath(name)));
  useEffect(() => {
    request<{ items: CollectionDefinition[] }>('GET', '/api/collections').then(async ({ items }) => {
      const names = items.filter((c) => c.type === 'auth').map((c) => c.name);
      setRealms(names);
      if (names[0]) {
        setRealm(names[0]);
        await load(names[0]);
      }
    }, (error) => setStatus(message(error)));
  }, []);
  if (!realms) return <p role="status">{status || 'Loading…'}</p>;
  if (realms.length === 0) return null;

  const set = <K extends keyof Draft>(key: K, value: Draft[K]) => setDraft({ ...draft, [key]: value });
  const choose = (name: string) => {
    setRealm(name);
    setEditing(null);
    setDraft(emptyDraft);
    void load(name).catch((error) => setStatus(message(error)));
  };
  const save = async (event: Event) => {
    event.preventDefault();
    setErrors({});
    setStatus('');
    const lines = (text: string) => text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
    const body = {
      preset: draft.preset,
      clientId: draft.clientId,
      redirectUris: lines(draft.redirectUris),
      scopes: lines(draft.scopes),
      enabled: draft.enabled,
      ...(draft.displayName.trim() ? { displayName: draft.displayName.trim() } : {}),
      ...(draft.issuer.trim() ? { issuer: draft.issuer.trim() } : {}),
      ...(draft.tenant.trim() ? { tenant: draft.tenant.trim() } : {}),
      ...(draft.clientSecret ? { clientSecret: draft.clientSecret } : {}),
    };
    try {
      const saved = await request<Provider>('PUT', providersPath(realm, draft.name.trim()), body);
      await load(realm);
      setEditing(saved.name);
      setDraft(draftOf(saved));
      setStatus(`Saved ${saved.name}.`);
    } catch (error) {
      setStatus(message(error));
      setErrors(fieldErrors(error));
    }
  };
  const remove = async (name: string) => {
    if (!confirm(`Remove the sign-in provider ${name}? Accounts keep their linked identities but cannot use them until it is added again.`)) return;
    try {
      await request('DELETE', providersPath(realm, name));
      await load(realm);
      setEditing(null);
      setDraft(emptyDraft);
      setStatus(`Removed ${name}.`);
    } catch (error) {
      setStatus(message(error));
    }
  };
  const error = (key: string) => errors[key] && <p class="field-error" role="alert">{errors[key]}</p>;
  const listErrors = (prefix: string) => Object.entries(errors).filter(([key]) => key.startsWith(`${prefix}.`)).map(([key, text]) => <p key={key} class="field-error" role="alert">{text}</p>);

  return (
    <form class="editor" onSubmit={save} aria-labelledby="providers-title">
      <h2 id="providers-title">Sign-in providers</h2>
      <p class="hint">OpenID Connect providers an auth collection's users can sign in with. Register each redirect URI (your app's callback page) at the provider too.</p>
      <label>
        Auth collection
        <select value={realm} onChange={(e) => choose(e.currentTarget.value)}>
          {realms.map((name) => <option key={name} value={name}>{name}</option>)}
        </select>
      </label>
      <ul aria-label="Providers">
        {providers.map((p) => (
          <li key={p.name}>
            <strong>{p.displayName}</strong> ({p.name}, {p.enabled ? 'enabled' : 'disabled'}, {p.hasClientSecret ? 'secret stored' : 'no readable secret'}) {p.issuer}{' '}
            <button type="button" class="link small" onClick={() => { setEditing(p.name); setDraft(draftOf(p)); setErrors({}); }}>edit {p.name}</button>{' '}
            <button type="button" class="link small" onClick={() => void remove(p.name)}>remove {p.name}</button>
          </li>
        ))}
        {providers.length === 0 && <li class="empty">None yet.</li>}
      </ul>
      <fieldset>
        <legend>{editing ? `Provider ${editing}` : 'New provider'}</legend>
        <label>
          Provider name (in URLs)
          <input value={draft.name} disabled={editing !== null} onInput={(e) => set('name', e.currentTarget.value)} aria-invalid={!!errors.name} />
        </label>
        {error('name')}
        <label>
          Kind
          <select value={draft.preset} onChange={(e) => set('preset', e.currentTarget.value)}>
            {presets.map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </select>
        </label>
        {(draft.preset === 'oidc' || draft.preset === 'gitlab') && (
          <label>
            Issuer URL{draft.preset === 'gitlab' ? ' (empty: gitlab.com)' : ''}
            <input value={draft.issuer} onInput={(e) => set('issuer', e.currentTarget.value)} aria-invalid={!!errors.issuer} />
          </label>
        )}
        {error('issuer')}
        {draft.preset === 'microsoft' && (
          <label>
            Tenant (directory) id
            <input value={draft.tenant} onInput={(e) => set('tenant', e.currentTarget.value)} aria-invalid={!!errors.tenant} />
          </label>
        )}
        {error('tenant')}
        <label>
          Display name
          <input value={draft.displayName} onInput={(e) => set('displayName', e.currentTarget.value)} />
        </label>
        <label>
          Client id
          <input value={draft.clientId} onInput={(e) => set('clientId', e.currentTarget.value)} aria-invalid={!!errors.clientId} />
        </label>
        {error('clientId')}
        <label>
          Client secret{editing ? ' (empty keeps the stored one)' : ''}
          <input type="password" autocomplete="off" value={draft.clientSecret} onInput={(e) => set('clientSecret', e.currentTarget.value)} aria-invalid={!!errors.clientSecret} />
        </label>
        {error('clientSecret')}
        <label>
          Redirect URIs (one per line)
          <textarea rows={2} value={draft.redirectUris} onInput={(e) => set('redirectUris', e.currentTarget.value)} aria-invalid={Object.keys(errors).some((k) => k.startsWith('redirectUris'))} />
        </label>
        {error('redirectUris')}
        {listErrors('redirectUris')}
        <label>
          Scopes
          <input value={draft.scopes} onInput={(e) => set('scopes', e.currentTarget.value)} />
        </label>
        {listErrors('scopes')}
        <label class="inline">
          <input type="checkbox" checked={draft.enabled} onChange={(e) => set('enabled', e.currentTarget.checked)} /> Enabled
        </label>
      </fieldset>
      <p role="status">{status}</p>
      <button type="submit">Save provider</button>
      {editing && <button type="button" class="secondary" onClick={() => { setEditing(null); setDraft(emptyDraft); }}>New provider</button>}
    </form>
  );
}
