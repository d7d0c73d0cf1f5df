import { useEffect, useState } from 'preact/hooks';
import { AdminsView } from './admins-view.js';
import { AuthScreen } from './auth-screens.js';
import { CollectionEditor } from './collection-editor.js';
import { client, listCollections, listFieldTypes, message, request, type CollectionDefinition, type FieldTypes } from './api.js';
import { LogsView } from './logs-view.js';
import { ExtensionsView } from './extensions-view.js';
import { RecordsView } from './records-view.js';
import { navigate, useRoute } from './router.js';
import { SettingsView } from './settings-view.js';
import { AccountMailView } from './account-mail-view.js';
import { SecondFactorView } from './second-factor-view.js';
import { PasskeysView } from './passkeys-view.js';
import { SignInProvidersView } from './sign-in-providers-view.js';

type Screen = { kind: 'loading' } | { kind: 'first-run' } | { kind: 'sign-in' } | { kind: 'console' } | { kind: 'failed'; error: string };

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
  const [types, setTypes] = useState<FieldTypes | null>(null);
  const route = useRoute();
  const reload = async () => setCollections(await listCollections());
  useEffect(() => void reload(), []);
  useEffect(() => void listFieldTypes().then(setTypes), []);
  const current = route.kind === 'records' || route.kind === 'edit' ? collections?.find((c) => c.name === route.name) : undefined;
  const afterSave = (name: string) => void reload().then(() => navigate({ kind: 'records', name }));

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
                <button type="button" class="link" aria-current={current?.name === c.name} onClick={() => navigate({ kind: 'records', name: c.name })}>{c.name}</button>
                <button type="button" class="link small" onClick={() => navigate({ kind: 'edit', name: c.name })} aria-label={`Edit collection ${c.name}`}>edit</button>
              </li>
            ))}
          </ul>
        )}
        <button type="button" onClick={() => navigate({ kind: 'new' })}>New collection</button>
        <button type="button" class="secondary" aria-current={route.kind === 'logs'} onClick={() => navigate({ kind: 'logs' })}>Logs</button>
        <button type="button" class="secondary" aria-current={route.kind === 'extensions'} onClick={() => navigate({ kind: 'extensions' })}>Extensions</button>
        <button type="button" class="secondary" aria-current={route.kind === 'settings'} onClick={() => navigate({ kind: 'settings' })}>Settings</button>
        <button type="button" class="secondary" aria-current={route.kind === 'admins'} onClick={() => navigate({ kind: 'admins' })}>Admins</button>
        <a href="/api/docs" target="_blank" rel="noopener">API reference</a>
        <a href="/api/graphql" target="_blank" rel="noopener">GraphQL explorer</a>
        <button type="button" class="secondary" onClick={onSignOut}>Sign out</button>
      </nav>
      <main>
        {route.kind === 'home' && <p class="empty">Choose a collection, or create one.</p>}
        {(route.kind === 'records' || route.kind === 'edit') && collections && !current && <p class="error" role="alert">There is no collection named {route.name}.</p>}
        {route.kind === 'settings' && (
          <>
            <SettingsView />
            <AccountMailView />
            <SignInProvidersView />
          </>
        )}
        {route.kind === 'admins' && (
          <>
            <AdminsView />
            <SecondFactorView />
            <PasskeysView />
          </>
        )}
        {route.kind === 'logs' && <LogsView status={route.status} />}
        {route.kind === 'extensions' && <ExtensionsView />}
        {route.kind === 'new' && types && <CollectionEditor collections={collections ?? []} types={types} onSaved={afterSave} onDeleted={() => void reload().then(() => navigate({ kind: 'home' }))} />}
        {route.kind === 'edit' && current && types && <CollectionEditor key={current.name} existing={current} collections={collections ?? []} types={types} onSaved={afterSave} onDeleted={() => void reload().then(() => navigate({ kind: 'home' }))} />}
        {route.kind === 'records' && current && types && <RecordsView key={current.name} collection={current} collections={collections ?? []} types={types} route={route} />}
      </main>
    </div>
  );
}
