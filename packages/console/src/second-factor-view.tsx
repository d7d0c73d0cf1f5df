import { useEffect, useState } from 'preact/hooks';
import { message, request } from './api.js';
import { useAction } from './use-action.js';

type Status = { enabled: boolean; recoveryCodesLeft: number };
const base = '/api/admins/auth/mfa';

/** The signed-in admin's own second factor (TOTP): set up with an authenticator app, or turn off with the password. */
export function SecondFactorView() {
  const [status, setStatus] = useState<Status | null>(null);
  const [setup, setSetup] = useState<{ secret: string; uri: string } | null>(null);
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>([]);
  const load = () => request<Status>('GET', base).then(setStatus, (error) => setNote(message(error)));
  const { act, note, setNote, errors } = useAction(load);
  useEffect(() => void load(), []);
  if (!status) return <p role="status">{note || 'Loading…'}</p>;

  const start = () => act(async () => setSetup(await request('POST', `${base}/setup`)));
  const enable = () =>
    act(async () => {
      setRecoveryCodes((await request<{ recoveryCodes: string[] }>('POST', `${base}/enable`, { code })).recoveryCodes);
      setSetup(null);
      setCode('');
    });
  const disable = () =>
    act(async () => {
      await request('POST', `${base}/disable`, { password });
      setPassword('');
      setRecoveryCodes([]);
    });

  return (
    <section class="editor" aria-labelledby="mfa-title">
      <h2 id="mfa-title">Two-factor authentication</h2>
      <p>{status.enabled ? `On for your account (${status.recoveryCodesLeft} recovery codes left).` : 'Off for your account.'}</p>
      {recoveryCodes.length > 0 && (
        <div role="region" aria-label="Recovery codes">
          <p>Keep these recovery codes somewhere safe: each signs in once without the app. They are not shown again.</p>
          <ul class="recovery-codes">{recoveryCodes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
        </div>
      )}
      {!status.enabled && !setup && <button type="button" onClick={() => void start()}>Set up two-factor authentication</button>}
      {!status.enabled && setup && (
        <>
          <p>Add this key to your authenticator app (or open the link on a phone), then enter the code it shows.</p>
          <p>Key: <code aria-label="Authenticator key">{setup.secret}</code></p>
          <p><a href={setup.uri}>Open in an authenticator app</a></p>
          <label>
            Code from the app
            <input name="mfa-code" autoComplete="one-time-code" inputMode="numeric" value={code} onInput={(e) => setCode(e.currentTarget.value)} aria-invalid={!!errors.code} />
          </label>
          {errors.code && <p class="field-error" role="alert">{errors.code}</p>}
          <button type="button" onClick={() => void enable()}>Turn on</button>
        </>
      )}
      {status.enabled && (
        <>
          <label>
            Your password
            <input type="password" name="mfa-password" autoComplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} aria-invalid={!!errors.currentPassword} />
          </label>
          {errors.currentPassword && <p class="field-error" role="alert">{errors.currentPassword}</p>}
          <button type="button" class="secondary" onClick={() => void disable()}>Turn off two-factor authentication</button>
        </>
      )}
      {note && <p class="error" role="alert">{note}</p>}
    </section>
  );
}
