import { useEffect, useState } from 'preact/hooks';
import type { PasskeyInfo } from '@causeway/client';
import { client, message } from './api.js';
import { useAction } from './use-action.js';

/** Whether this browser can use passkeys at all (no WebAuthn: the console hides passkeys). */
export const passkeysSupported = typeof window !== 'undefined' && 'PublicKeyCredential' in window;

/** The signed-in admin's own passkeys: add one (with the current password), see when each was last used, remove. */
export function PasskeysView() {
  const [passkeys, setPasskeys] = useState<PasskeyInfo[] | null>(null);
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const load = () => client.admins.passkeys().then(setPasskeys, (error) => setNote(message(error)));
  const { act, note, setNote, errors } = useAction(load);
  useEffect(() => void load(), []);
  if (!passkeysSupported) return null;
  if (!passkeys) return <p role="status">{note || 'Loading…'}</p>;

  const add = () =>
    act(async () => {
      await client.admins.registerPasskey({ password, name: name.trim() || 'Passkey' });
      setPassword('');
      setName('');
    });

  return (
    <section class="editor" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">Passkeys</h2>
      {passkeys.length === 0 ? (
        <p>No passkeys yet. A passkey signs you in without your password, with your device's lock (fingerprint, face, PIN).</p>
      ) : (
        <table>
          <thead>
            <tr><th scope="col">Name</th><th scope="col">Added</th><th scope="col">Last used</th><th scope="col"><span class="sr-only">Actions</span></th></tr>
          </thead>
          <tbody>
            {passkeys.map((passkey) => (
              <tr key={passkey.id}>
                <td>{passkey.name}</td>
                <td>{new Date(passkey.created).toLocaleString()}</td>
                <td>{passkey.lastUsed ? new Date(passkey.lastUsed).toLocaleString() : 'never'}</td>
                <td><button type="button" class="secondary" aria-label={`Remove passkey ${passkey.name}`} onClick={() => void act(() => client.admins.removePasskey(passkey.id))}>Remove</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <label>
        Name for the new passkey
        <input name="passkey-name" value={name} placeholder="My laptop" maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Current password
        <input type="password" name="passkey-password" autoComplete="current-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} aria-invalid={!!errors.currentPassword} />
      </label>
      {errors.currentPassword && <p class="field-error" role="alert">{errors.currentPassword}</p>}
      <button type="button" onClick={() => void add()}>Add a passkey</button>
      {note && <p class="error" role="alert">{note}</p>}
    </section>
  );
}
