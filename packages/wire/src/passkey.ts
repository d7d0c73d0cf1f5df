/** A passkey as its account sees it (`GET …/auth/passkeys`): never its public key or counter. */
export interface PasskeyInfo {
  /** The credential id (base64url), as `DELETE …/auth/passkeys/{id}` takes it. */
  id: string;
  name: string;
  created: string;
  lastUsed: string | null;
  /** Whether the authenticator says the credential is synced (backed up) beyond one device. */
  backedUp: boolean;
}
