import { useState } from 'preact/hooks';
import { client, fieldErrors, message, request } from './api.js';
import { passkeysSupported } from './passkeys-view.js';

/** First run (no admin yet) and sign-in share one form. */
export function AuthScreen({ firstRun, onDone }: { firstRun: boolean; onDone: () => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  // Shown once the server says the password was right and the account has a second factor on.
  const [needsCode, setNeedsCode] = useState(false);
  const [code, setCode] = useState('');

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError('');
    setErrors({});
    try {
      if (firstRun) {
        const result = await request<{ token: string; refreshToken: string }>('POST', '/api/admins/first-run', { email, password });
        client.transport.setSession({ token: result.token, refreshToken: result.refreshToken, realm: '_admins' });
      } else {
        await client.admins.signIn(email, password, needsCode ? code : undefined);
      }
      onDone();
    } catch (caught) {
      if ((caught as { code?: string }).code === 'MFA_REQUIRED') {
        setNeedsCode(true);
        setError('Enter the code from your authenticator app, or a recovery code.');
        return;
      }
      setError(message(caught));
      setErrors(fieldErrors(caught));
    } finally {
      setBusy(false);
    }
  };

  // The browser lets the admin pick a passkey; an authenticator that did not verify them still needs the code.
  const withPasskey = async () => {
    setBusy(true);
    setError('');
    try {
      await client.admins.signInWithPasskey(needsCode ? { code } : {});
      onDone();
    } catch (caught) {
      if ((caught as { code?: string }).code === 'MFA_REQUIRED') {
        setNeedsCode(true);
        setError('Enter the code from your authenticator app, or a recovery code, then choose the passkey again.');
        return;
      }
      setError((caught as { name?: string }).name === 'NotAllowedError' ? 'No passkey was chosen.' : message(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="auth">
      <h1>{firstRun ? 'Create the first admin' : 'Sign in'}</h1>
      {firstRun && <p>No admin account exists yet. The account you create here manages collections, records and rules.</p>}
      <form onSubmit={submit}>
        <label>
          Email
          <input type="email" name="email" required autoComplete="username" value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
        </label>
        {errors.email && <p class="field-error">{errors.email}</p>}
        <label>
          Password
          <input type="password" name="password" required autoComplete={firstRun ? 'new-password' : 'current-password'} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        </label>
        {errors.password && <p class="field-error">{errors.password}</p>}
        {needsCode && (
          <label>
            Authentication code
            <input name="code" required autoComplete="one-time-code" inputMode="text" autoFocus value={code} onInput={(e) => setCode(e.currentTarget.value)} />
          </label>
        )}
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{firstRun ? 'Create admin' : 'Sign in'}</button>
        {!firstRun && passkeysSupported && (
          <button type="button" class="secondary" disabled={busy} onClick={() => void withPasskey()}>
            Sign in with a passkey
          </button>
        )}
      </form>
    </main>
  );
}
