import type { SqlExecutor } from '../../sql/sql-database.js';
import type { SqlTemplate } from '../../sql/sql-template.js';
import type { OAuthProviderSettings, OAuthProviderView } from './provider-settings.js';
import type { SecretBox } from './secret-box.js';

/** OAuth providers configured per auth collection; the client secret sealed (`SecretBox`). All columns are text. */
export const oauthProvidersTable = '_oauth_providers';

/** A provider ready to use: its settings and its client secret in the clear (never leaves the server). */
export interface OAuthProvider extends OAuthProviderView {
  realm: string;
  clientSecret: string | undefined;
  /** Changes with every save: what the discovered configuration is cached under. */
  updated: string;
}

const keyOf = (realm: string, name: string) => `${realm}/${name}`;

export class OAuthProviders {
  constructor(
    private readonly s: SqlTemplate,
    private readonly box: SecretBox,
  ) {}

  async list(executor: SqlExecutor, realm: string): Promise<OAuthProvider[]> {
    const q = this.s.q`SELECT realm, name, settings, secret, updated FROM ${this.s.id(oauthProvidersTable)} WHERE realm = ${realm} ORDER BY name`;
    return (await executor.all(q.text, q.params)).map((row) => this.decode(row));
  }

  async get(executor: SqlExecutor, realm: string, name: string): Promise<OAuthProvider | undefined> {
    const q = this.s.q`SELECT realm, name, settings, secret, updated FROM ${this.s.id(oauthProvidersTable)} WHERE key = ${keyOf(realm, name)}`;
    const row = await executor.get(q.text, q.params);
    return row ? this.decode(row) : undefined;
  }

  /** Stores the settings; the sealed secret is replaced only when a new one is given. */
  async put(tx: SqlExecutor, realm: string, name: string, settings: OAuthProviderSettings, clientSecret: string | undefined): Promise<void> {
    const t = this.s.id(oauthProvidersTable);
    const key = keyOf(realm, name);
    const json = JSON.stringify(settings);
    const now = new Date().toISOString();
    const sealed = clientSecret === undefined ? undefined : this.box.seal(clientSecret, key);
    const q = sealed === undefined
      ? this.s.q`UPDATE ${t} SET settings = ${json}, updated = ${now} WHERE key = ${key}`
      : this.s.q`INSERT INTO ${t} (key, realm, name, settings, secret, updated) VALUES (${key}, ${realm}, ${name}, ${json}, ${sealed}, ${now})
          ON CONFLICT (key) DO UPDATE SET settings = excluded.settings, secret = excluded.secret, updated = excluded.updated`;
    await tx.run(q.text, q.params);
  }

  async remove(tx: SqlExecutor, realm: string, name: string): Promise<boolean> {
    const q = this.s.q`DELETE FROM ${this.s.id(oauthProvidersTable)} WHERE key = ${keyOf(realm, name)}`;
    return (await tx.run(q.text, q.params)).changes > 0;
  }

  private decode(row: Record<string, unknown>): OAuthProvider {
    const realm = String(row.realm);
    const name = String(row.name);
    const settings = JSON.parse(String(row.settings)) as OAuthProviderSettings;
    const clientSecret = this.box.open(String(row.secret), keyOf(realm, name));
    return { ...settings, realm, name, clientSecret, hasClientSecret: clientSecret !== undefined, updated: String(row.updated) };
  }
}

/** The admin's view of a provider: no secret. */
export function providerView(provider: OAuthProvider): OAuthProviderView {
  const { realm: _realm, clientSecret: _secret, updated: _updated, ...view } = provider;
  return view;
}
