import { errors as joseErrors, jwtVerify, SignJWT, type JWTHeaderParameters } from 'jose';
import { CausewayError } from '../errors/causeway-error.js';
import type { KeySource } from './signing-keys.js';

/** An HMAC key for access tokens, named by `kid` so several can verify while one signs (rotation). */
export interface SigningKey {
  kid: string;
  secret: Uint8Array;
}

/** `current` signs; every key in `verifying` (current included) is accepted. */
export interface KeyRing {
  current: SigningKey;
  verifying: readonly SigningKey[];
}

/** Whose token it is: `realm` is `_admins` or the auth collection's name. */
export interface AccessClaims {
  realm: string;
  subject: string;
  sessionId: string;
}

export interface VerifiedClaims extends AccessClaims {
  /** When the token expires, in ms since the epoch. */
  expiresAtMs: number;
  /** The signing key that signed it: a session opened with it ends when the key is retired. */
  kid: string;
}

export interface IssuedAccessToken {
  token: string;
  /** Seconds until it expires. */
  expiresIn: number;
}

const issuer = 'causeway';

/** What a token is good for: the API (`access`), or downloading files (`file`). */
export type TokenKind = 'access' | 'file';
const algorithm = 'HS256';

/** Short-lived signed JWTs. Verification needs no database: the claims name the account and its session. */
export class AccessTokens {
  /** `ttlSeconds` is read at each signing, so an admin's change applies to the next token. */
  constructor(
    private readonly keys: KeySource,
    private readonly ttlSeconds: () => number,
  ) {}

  /** The ids of the keys that verify now. */
  verifyingKids(): ReadonlySet<string> {
    return new Set(this.keys.ring.verifying.map((key) => key.kid));
  }

  /**
   * Signs an access token, or (`kind: 'file'`) a file token: the same claims, good only for downloading files
   * (`?token=`), so a token that may end up in a URL, a log or a browser history cannot call the API.
   */
  async sign(claims: AccessClaims, kind: TokenKind = 'access', ttlSeconds?: number): Promise<IssuedAccessToken> {
    const ttl = ttlSeconds ?? this.ttlSeconds();
    const token = await new SignJWT({ realm: claims.realm, sid: claims.sessionId, typ: kind })
      .setProtectedHeader({ alg: algorithm, kid: this.keys.ring.current.kid })
      .setSubject(claims.subject)
      .setIssuer(issuer)
      .setIssuedAt()
      .setExpirationTime(`${ttl}s`)
      .sign(this.keys.ring.current.secret);
    return { token, expiresIn: ttl };
  }

  /** The claims of a valid token; anything else (expired, forged, tampered, unknown key) is INVALID_TOKEN. */
  async verify(token: string, kind: TokenKind = 'access'): Promise<VerifiedClaims> {
    try {
      const { payload, protectedHeader } = await jwtVerify(token, (header: JWTHeaderParameters) => this.keyFor(header), { algorithms: [algorithm], issuer });
      const { sub, realm, sid, typ, exp } = payload;
      if (typ !== kind || typeof sub !== 'string' || typeof realm !== 'string' || typeof sid !== 'string' || typeof exp !== 'number') throw invalidToken();
      return { realm, subject: sub, sessionId: sid, expiresAtMs: exp * 1000, kid: protectedHeader.kid ?? '' };
    } catch (error) {
      if (error instanceof CausewayError) throw error;
      const expired = error instanceof joseErrors.JWTExpired;
      throw invalidToken(expired ? 'The access token has expired; refresh it.' : undefined, error);
    }
  }

  /** A key this instance does not know may be new: another instance or the CLI rotated the keys. */
  private async keyFor(header: JWTHeaderParameters): Promise<Uint8Array> {
    const find = () => this.keys.ring.verifying.find((k) => k.kid === header.kid);
    const key = find() ?? ((await this.keys.refresh()) ? find() : undefined);
    if (!key) throw invalidToken();
    return key.secret;
  }
}

export function invalidToken(detail = 'The token is invalid or expired.', cause?: unknown): CausewayError {
  return new CausewayError('INVALID_TOKEN', detail, cause === undefined ? {} : { cause });
}
