import { useEffect, useState } from 'preact/hooks';
import { AdminsView } from './admins-view.js';
import { AuthScreen } from './auth-screens.js';
import { CollectionEditor } from './collection-editor.js';
import { client, listCollections, message, request, type CollectionDefinition } from './api.js';
import { RecordsView } from './records-view.js';
import { SettingsView } from './settings-view.js';

type Screen = { kind: 'loading' } | { kind: 'first-run' } | { kind: 'sign-in' } | { kind: 'console' } | { kind: 'failed'; error: string };
type View = { kind: 'records'; name: string } | { kind: 'edit'; name: string } | { kind: 'new' } | { kind: 'settings' } | { kind: 'admins' } | { kind: 'none' };

export function App() {
  const [screen, setScreen] = useState<Screen>({ kind: 'loading' });

  const boot = async () => {
    try {
      const { hasAdmin } = await request<{ hasAdmin: boolean }>('GET', '/api/admins/status');
      if (!hasAdmin) return setScreen({ kind: 'first-run' });
      if (!client.admins.isSignedIn) return setScreen({ kind: 'sign-in' });
      await client.admins.me();
      setScreen({ kind: 'console' });
    } catch (error) {
      if ((error as { status?: number }).status === 401) return setScreen({ kind: 'sign-in' });
      setScreen({ kind: 'failed', error: message(error) });
    }
  };
  useEffect(() => void boot(), []);

  if (screen.kind === 'loading') return <p class="loading" role="status">Loading…</p>;
  if (screen.kind === 'failed') return <p class="error" role="alert">{screen.error}</p>;
  if (screen.kind !== 'console') return <AuthScreen firstRun={screen.kind === 'first-run'} onDone={() => void boot()} />;
  return <Console onSignOut={() => void client.admins.signOut().finally(() => setScreen({ kind: 'sign-in' }))} />;
}

function Console({ onSignOut }: { onSignOut: () => void }) {
  const [collections, setCollections] = useState<CollectionDefinition[] | null>(null);
  const [view, setView] = useState<View>({ kind: 'none' });
  const reload = async (select?: View) => {
    setCollections(await listCollections());
    if (select) setView(select);
  };
  useEffect(() => void reload(), []);
  const current = view.kind === 'records' || view.kind === 'edit' ? collections?.find((c) => c.name === view.name) : undefined;

  return (
    <div class="shell">
      <nav aria-label="Collections">
        <h1>Causeway</h1>
        {collections === null ? (
          <p role="status">Loading…</p>
        ) : (
          <ul>
            {collections.map((c) => (
              <li key={c.name}>
                <button type="button" class="link" aria-current={current?.name === c.name} onClick={() => setView({ kind: 'records', name: c.name })}>{c.name}</button>
                <button type="button" class="link small" onClick={() => setView({ kind: 'edit', name: c.name })} aria-label={`Edit collection ${c.name}`}>edit</button>
              </li>
            ))}
          </ul>
        )}
        <button type="button" onClick={() => setView({ kind: 'new' })}>New collection</button>
        <button type="button" class="secondary" onClick={() => setView({ kind: 'settings' })}>Settings</button>
        <button type="button" class="secondary" onClick={() => setView({ kind: 'admins' })}>Admins</button>
        <button type="button" class="secondary" onClick={onSignOut}>Sign out</button>
      </nav>
      <main>
        {view.kind === 'none' && <p class="empty">Choose a collection, or create one.</p>}
        {view.kind === 'settings' && <SettingsView />}
        {view.kind === 'admins' && <AdminsView />}
        {view.kind === 'new' && <CollectionEditor collections={collections ?? []} onSaved={(name) => void reload({ kind: 'records', name })} onDeleted={() => void reload({ kind: 'none' })} />}
        {view.kind === 'edit' && current && <CollectionEditor key={current.name} existing={current} collections={collections ?? []} onSaved={(name) => void reload({ kind: 'records', name })} onDeleted={() => void reload({ kind: 'none' })} />}
        {view.kind === 'records' && current && <RecordsView key={current.name} collection={current} />}
      </main>
    </div>
  );
}
