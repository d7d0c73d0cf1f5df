import { authPath, type Transport } from './transport.js';

/** Whether the signed-in account has a second factor on, and how many recovery codes it has left. */
export interface SecondFactorStatus {
  enabled: boolean;
  recoveryCodesLeft: number;
}

/** A pending TOTP secret: as base32 text, and as an `otpauth://` URI for a QR code. */
export interface TotpSetup {
  secret: string;
  uri: string;
}

/** The signed-in account's TOTP second factor (docs/auth.md, "Two-factor authentication"). */
export class MfaApi {
  constructor(
    private readonly transport: Transport,
    private readonly realm: string,
  ) {}

  status(): Promise<SecondFactorStatus> {
    return this.transport.request<SecondFactorStatus>('GET', authPath(this.realm, 'mfa'));
  }

  /** A new secret, pending until `enable` gets a code from it; a `ValidationError` while the factor is on. */
  setUp(): Promise<TotpSetup> {
    return this.transport.request<TotpSetup>('POST', authPath(this.realm, 'mfa/setup'));
  }

  /** Turns the pending secret on; resolves the ten recovery codes, shown this once. */
  async enable(code: string): Promise<string[]> {
    return (await this.transport.request<{ recoveryCodes: string[] }>('POST', authPath(this.realm, 'mfa/enable'), { body: { code } })).recoveryCodes;
  }

  /** New recovery codes in place of the earlier ones, with a current TOTP code or an unused recovery code. */
  async regenerateRecoveryCodes(code: string): Promise<string[]> {
    return (await this.transport.request<{ recoveryCodes: string[] }>('POST', authPath(this.realm, 'mfa/recovery-codes'), { body: { code } })).recoveryCodes;
  }

  /** Turns the second factor off; the current password is required. */
  async disable(password: string): Promise<void> {
    await this.transport.request('POST', authPath(this.realm, 'mfa/disable'), { body: { password } });
  }
}
