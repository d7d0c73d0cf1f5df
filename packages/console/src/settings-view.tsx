import { useEffect, useState } from 'preact/hooks';
import { fieldErrors, message, request } from './api.js';

interface Settings {
  accessTokenTtl: number;
  refreshTokenTtl: number;
  allowedOrigins: string[];
  requireAdminMfa: boolean;
}

/** Token lifetimes and allowed origins; the server applies a change to the next request. */
export function SettingsView() {
  const [settings, setSettings] = useState<Settings | null>(null);
  const [origins, setOrigins] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState('');

  useEffect(() => {
    request<Settings>('GET', '/api/settings').then((loaded) => {
      setSettings(loaded);
      setOrigins(loaded.allowedOrigins.join(', '));
    }, (error) => setStatus(message(error)));
  }, []);
  if (!settings) return <p role="status">{status || 'Loading…'}</p>;

  const save = async (event: Event) => {
    event.preventDefault();
    setErrors({});
    setStatus('');
    try {
      const allowedOrigins = origins.split(',').map((o) => o.trim()).filter(Boolean);
      const { accessTokenTtl, refreshTokenTtl, requireAdminMfa } = settings;
      // Only this form's settings: the mail links form saves its own.
      setSettings(await request<Settings>('PATCH', '/api/settings', { accessTokenTtl, refreshTokenTtl, allowedOrigins, requireAdminMfa }));
      setStatus('Saved: the server applies the new settings to the next request.');
    } catch (error) {
      setStatus(message(error));
      setErrors(fieldErrors(error));
    }
  };
  const number = (key: 'accessTokenTtl' | 'refreshTokenTtl', label: string) => (
    <>
      <label>
        {label}
        <input name={key} inputMode="numeric" value={String(settings[key])} onInput={(e) => setSettings({ ...settings, [key]: Number(e.currentTarget.value) })} aria-invalid={!!errors[key]} />
      </label>
      {errors[key] && <p class="field-error" role="alert">{errors[key]}</p>}
    </>
  );

  return (
    <form class="editor" onSubmit={save} aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {number('accessTokenTtl', 'Access token lifetime (seconds)')}
      {number('refreshTokenTtl', 'Session lifetime (seconds)')}
      <label>
        Allowed origins (comma-separated; * for any)
        <input name="allowedOrigins" value={origins} onInput={(e) => setOrigins(e.currentTarget.value)} />
      </label>
      {Object.entries(errors).filter(([key]) => key.startsWith('allowedOrigins')).map(([key, text]) => <p key={key} class="field-error" role="alert">{text}</p>)}
      <label class="inline">
        <input type="checkbox" name="requireAdminMfa" checked={settings.requireAdminMfa} onChange={(e) => setSettings({ ...settings, requireAdminMfa: e.currentTarget.checked })} /> Admins must use two-factor authentication
      </label>
      <p class="hint">An admin without it is made to set it up at the next sign-in; sessions begun without it end when their access token expires.</p>
      <p role="status">{status}</p>
      <button type="submit">Save settings</button>
    </form>
  );
}
