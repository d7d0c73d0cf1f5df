import { useEffect, useState } from 'preact/hooks';
import { fieldErrors, message, request, type CollectionDefinition } from './api.js';

type LinkTemplates = { verifyEmailUrl?: string; resetPasswordUrl?: string };
type AccountMail = Record<string, LinkTemplates>;

const linkKeys = [
  ['verifyEmailUrl', 'Verification link'],
  ['resetPasswordUrl', 'Password-reset link'],
] as const;

/**
 * Where account mail links point, per auth collection (and admins): empty keeps Causeway's own pages
 * (docs/auth.md, the pages mail links to).
 */
export function AccountMailView() {
  const [realms, setRealms] = useState<string[] | null>(null);
  const [mail, setMail] = useState<AccountMail>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState('');

  useEffect(() => {
    Promise.all([request<{ items: CollectionDefinition[] }>('GET', '/api/collections'), request<{ accountMail: AccountMail }>('GET', '/api/settings')]).then(([collections, settings]) => {
      setRealms([...collections.items.filter((c) => c.type === 'auth').map((c) => c.name), '_admins']);
      setMail(settings.accountMail ?? {});
    }, (error) => setStatus(message(error)));
  }, []);
  if (!realms) return <p role="status">{status || 'Loading…'}</p>;

  const set = (realm: string, key: keyof LinkTemplates, value: string) => {
    const { [key]: _old, ...rest } = mail[realm] ?? {};
    setMail({ ...mail, [realm]: value.trim() === '' ? rest : { ...rest, [key]: value } });
  };
  const save = async (event: Event) => {
    event.preventDefault();
    setErrors({});
    setStatus('');
    try {
      // Realms without templates are left out, so the stored settings stay small.
      const accountMail = Object.fromEntries(Object.entries(mail).filter(([, links]) => Object.keys(links).length > 0));
      setMail((await request<{ accountMail: AccountMail }>('PATCH', '/api/settings', { accountMail })).accountMail);
      setStatus('Saved: the next mail uses these links.');
    } catch (error) {
      setStatus(message(error));
      setErrors(fieldErrors(error));
    }
  };

  return (
    <form class="editor" onSubmit={save} aria-labelledby="mail-links-title">
      <h2 id="mail-links-title">Mail links</h2>
      <p class="hint">Where verification and reset mail links point. Empty: Causeway's own pages. A link must hold <code>{'{{token}}'}</code>; <code>{'{{collection}}'}</code> may be used too.</p>
      {realms.map((realm) => (
        <fieldset key={realm}>
          <legend>{realm === '_admins' ? 'Admins' : realm}</legend>
          {linkKeys.map(([key, label]) => {
            const path = `accountMail.${realm}.${key}`;
            return (
              <div key={key}>
                <label>
                  {label}
                  <input name={path} aria-label={`${realm} ${label}`} placeholder="https://app.example.com/…?token={{token}}" value={mail[realm]?.[key] ?? ''} onInput={(e) => set(realm, key, e.currentTarget.value)} aria-invalid={!!errors[path]} />
                </label>
                {errors[path] && <p class="field-error" role="alert">{errors[path]}</p>}
              </div>
            );
          })}
        </fieldset>
      ))}
      <p role="status">{status}</p>
      <button type="submit">Save mail links</button>
    </form>
  );
}
