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
  // Admins must use a second factor and this one has none: the key to add to an authenticator app.
  const [setupKey, setSetupKey] = useState('');
  // The recovery codes of a factor this sign-in turned on, shown once before the console opens.
  const [recoveryCodes, setRecoveryCodes] = useState<string[]>([]);

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
        const result = await client.admins.signIn(email, password, needsCode ? code : undefined);
        if (result.recoveryCodes) return setRecoveryCodes(result.recoveryCodes);
      }
      onDone();
    } catch (caught) {
      const problem = (caught as { code?: string; problem?: { secret?: unknown } });
      if (problem.code === 'MFA_SETUP_REQUIRED' && typeof problem.problem?.secret === 'string') {
        setSetupKey(problem.problem.secret);
        setNeedsCode(true);
        setError('Admins must use two-factor authentication: add the key below to your authenticator app, then enter a code from it.');
        return;
      }
      if (problem.code === 'MFA_REQUIRED') {
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
  if (recoveryCodes.length > 0) {
    return (
      <main class="auth">
        <h1>Two-factor authentication is on</h1>
        <p>Keep these recovery codes somewhere safe: each signs in once if you lose your authenticator. They are shown only now.</p>
        <ul aria-label="Recovery codes">{recoveryCodes.map((c) => <li key={c}><code>{c}</code></li>)}</ul>
        <button type="button" onClick={onDone}>Continue</button>
      </main>
    );
  }

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
        {setupKey && (
          <p>
            Authenticator key: <code aria-label="Authenticator key">{setupKey}</code>
          </p>
        )}
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
