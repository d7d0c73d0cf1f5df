import { useEffect, useState } from 'preact/hooks';
import { fieldErrors, message, request } from './api.js';

interface Admin {
  id: string;
  email: string;
  created: string;
}

/** Admins: list, add, delete (never the last), set a password, sign out everywhere. */
export function AdminsView() {
  const [admins, setAdmins] = useState<Admin[] | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState('');

  const reload = () => request<{ items: Admin[] }>('GET', '/api/admins').then((r) => setAdmins(r.items), (error) => setStatus(message(error)));
  useEffect(() => void reload(), []);
  if (!admins) return <p role="status">{status || 'Loading…'}</p>;

  const act = async (work: () => Promise<unknown>, done: string) => {
    setErrors({});
    setStatus('');
    try {
      await work();
      setStatus(done);
      await reload();
    } catch (error) {
      setStatus(message(error));
      setErrors(fieldErrors(error));
    }
  };
  const add = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      await request('POST', '/api/admins', { email, password });
      setEmail('');
      setPassword('');
    }, `Added ${email}.`);
  };
  const setPasswordOf = (admin: Admin) => {
    const next = window.prompt(`New password for ${admin.email} (every session of that admin ends):`);
    if (next) void act(() => request('POST', `/api/admins/${encodeURIComponent(admin.id)}/password`, { password: next }), `Password of ${admin.email} set.`);
  };

  return (
    <section class="editor" aria-labelledby="admins-title">
      <h2 id="admins-title">Admins</h2>
      <table>
        <thead>
          <tr><th>Email</th><th>Created</th><th>Actions</th></tr>
        </thead>
        <tbody>
          {admins.map((admin) => (
            <tr key={admin.id}>
              <td>{admin.email}</td>
              <td>{admin.created}</td>
              <td>
                <button type="button" class="link" onClick={() => setPasswordOf(admin)} aria-label={`Set the password of ${admin.email}`}>Set password</button>
                <button type="button" class="link" onClick={() => void act(() => request('POST', `/api/admins/${encodeURIComponent(admin.id)}/sign-out`), `Every session of ${admin.email} ended.`)} aria-label={`Sign out every session of ${admin.email}`}>Sign out everywhere</button>
                <button type="button" class="link" disabled={admins.length === 1} onClick={() => window.confirm(`Delete admin ${admin.email}?`) && void act(() => request('DELETE', `/api/admins/${encodeURIComponent(admin.id)}`), `Deleted ${admin.email}.`)} aria-label={`Delete admin ${admin.email}`}>Delete</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form onSubmit={add} aria-label="Add an admin">
        <label>
          Email
          <input name="email" type="email" value={email} onInput={(e) => setEmail(e.currentTarget.value)} aria-invalid={!!errors.email} />
        </label>
        {errors.email && <p class="field-error" role="alert">{errors.email}</p>}
        <label>
          Password
          <input name="password" type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} aria-invalid={!!errors.password} />
        </label>
        {errors.password && <p class="field-error" role="alert">{errors.password}</p>}
        <button type="submit">Add admin</button>
      </form>
      <p role="status">{status}</p>
    </section>
  );
}
