import { useEffect, useState } from 'preact/hooks';
import { fieldErrors, message, request, type CollectionDefinition } from './api.js';

type MailTemplate = { subject: string; text: string; html?: string };
type MailKey = 'verificationMail' | 'passwordResetMail';
type LinkTemplates = { verifyEmailUrl?: string; resetPasswordUrl?: string } & Partial<Record<MailKey, MailTemplate>>;
type AccountMail = Record<string, LinkTemplates>;
type Defaults = Record<MailKey, MailTemplate> & { mailVariables: string[] };

const mailKeys = [
  ['verificationMail', 'Verification mail', 'verification'],
  ['passwordResetMail', 'Password-reset mail', 'password-reset'],
] as const;

const linkKeys = [
  ['verifyEmailUrl', 'Verification link'],
  ['resetPasswordUrl', 'Password-reset link'],
] as const;

/**
 * Account mail per auth collection (and admins): where its links point (empty keeps Causeway's own pages) and
 * its templates (default until edited), plus a test mail. See docs/auth.md.
 */
export function AccountMailView() {
  const [realms, setRealms] = useState<string[] | null>(null);
  const [mail, setMail] = useState<AccountMail>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState('');
  const [defaults, setDefaults] = useState<Defaults | null>(null);

  useEffect(() => {
    Promise.all([
      request<{ items: CollectionDefinition[] }>('GET', '/api/collections'),
      request<{ accountMail: AccountMail }>('GET', '/api/settings'),
      request<Defaults>('GET', '/api/settings/account-mail/defaults'),
    ]).then(([collections, settings, loaded]) => {
      setRealms([...collections.items.filter((c) => c.type === 'auth').map((c) => c.name), '_admins']);
      setMail(settings.accountMail ?? {});
      setDefaults(loaded);
    }, (error) => setStatus(message(error)));
  }, []);
  if (!realms || !defaults) return <p role="status">{status || 'Loading…'}</p>;

  /** Starts from the default when the admin first edits a mail, so every part is there to change. */
  const setPart = (realm: string, key: MailKey, part: keyof MailTemplate, value: string) => {
    const current = mail[realm]?.[key] ?? defaults[key];
    const next = { ...current, [part]: value };
    if (part === 'html' && value.trim() === '') delete next.html;
    setMail({ ...mail, [realm]: { ...mail[realm], [key]: next } });
  };
  const useDefault = (realm: string, key: MailKey) => {
    const { [key]: _old, ...rest } = mail[realm] ?? {};
    setMail({ ...mail, [realm]: rest });
  };

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
      setStatus('Saved: the next mail uses these links and templates.');
    } catch (error) {
      setStatus(message(error));
      setErrors(fieldErrors(error));
    }
  };

  return (
    <form class="editor" onSubmit={save} aria-labelledby="mail-links-title">
      <h2 id="mail-links-title">Account mail</h2>
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
          {mailKeys.map(([key, label]) => {
            const template = mail[realm]?.[key];
            const shown = template ?? defaults[key];
            const name = `${realm} ${label}`;
            const part = (which: keyof MailTemplate, text: string, multiline: boolean) => {
              const path = `accountMail.${realm}.${key}.${which}`;
              const props = { 'aria-label': `${name} ${which}`, value: shown[which] ?? '', 'aria-invalid': !!errors[path], onInput: (e: { currentTarget: { value: string } }) => setPart(realm, key, which, e.currentTarget.value) };
              return (
                <div key={which}>
                  <label>
                    {text}
                    {multiline ? <textarea rows={5} {...props} /> : <input {...props} />}
                  </label>
                  {errors[path] && <p class="field-error" role="alert">{errors[path]}</p>}
                </div>
              );
            };
            return (
              <details key={key}>
                <summary>{label}{template ? ' (edited)' : ' (default)'}</summary>
                {part('subject', 'Subject', false)}
                {part('text', 'Text', true)}
                {part('html', 'HTML (optional; values are escaped)', true)}
                {template && <button type="button" class="link" onClick={() => useDefault(realm, key)}>Use the default {label.toLowerCase()}</button>}
              </details>
            );
          })}
        </fieldset>
      ))}
      <p class="hint">Variables: {defaults.mailVariables.map((v) => <code key={v}>{`{{${v}}} `}</code>)}</p>
      <p role="status">{status}</p>
      <button type="submit">Save account mail</button>
      <TestMail realms={realms} />
    </form>
  );
}

/** Sends a mail as it would go out now (saved templates and links), with a token that opens nothing. */
function TestMail({ realms }: { realms: string[] }) {
  const [realm, setRealm] = useState(realms[0] ?? '_admins');
  const [kind, setKind] = useState<string>('verification');
  const [to, setTo] = useState('');
  const [result, setResult] = useState('');
  const send = async () => {
    setResult('Sending…');
    try {
      const answer = await request<{ sent: boolean; reason?: string }>('POST', '/api/settings/account-mail/test', { collection: realm, kind, to });
      setResult(answer.sent ? `Test mail sent to ${to}.` : `The mail server refused: ${answer.reason ?? 'no reason given'}`);
    } catch (error) {
      setResult(message(error));
    }
  };
  return (
    <fieldset>
      <legend>Send a test mail</legend>
      <label class="inline">
        Collection
        <select aria-label="Test mail collection" value={realm} onChange={(e) => setRealm(e.currentTarget.value)}>
          {realms.map((r) => <option key={r} value={r}>{r === '_admins' ? 'admins' : r}</option>)}
        </select>
      </label>
      <label class="inline">
        Mail
        <select aria-label="Test mail kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
          {mailKeys.map(([, label, value]) => <option key={value} value={value}>{label}</option>)}
        </select>
      </label>
      <label class="inline">
        To
        <input aria-label="Test mail address" type="email" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
      </label>
      <button type="button" onClick={() => void send()}>Send test mail</button>
      <p role="status">{result}</p>
    </fieldset>
  );
}
