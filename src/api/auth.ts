import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Role } from '../config/service.js';
import { verifyPassword } from '../platform/passwords.js';

export interface Principal {
  readonly name: string;
  readonly role: Role;
  /** How the caller proved who it is. */
  readonly via: 'token' | 'session';
}

export interface AuthConfig {
  readonly tokens: ReadonlyArray<{ readonly name: string; readonly token: string; readonly role: Role }>;
  readonly users: ReadonlyArray<{ readonly name: string; readonly passwordHash: string; readonly role: Role }>;
  readonly sessionSecret: string;
  readonly sessionTtlMs: number;
}

export const SESSION_COOKIE = 'radar_session';

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function sign(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

/** Verifies bearer tokens, passwords and signed session cookies. Pure apart from the HMAC. */
export class Authenticator {
  constructor(private readonly config: AuthConfig) {}

  fromBearer(header: string | undefined): Principal | null {
    if (!header) return null;
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) return null;
    const presented = match[1] as string;
    for (const t of this.config.tokens) if (safeEqual(t.token, presented)) return { name: t.name, role: t.role, via: 'token' };
    return null;
  }

  login(name: string, password: string): Principal | null {
    const user = this.config.users.find((u) => u.name === name);
    if (!user) {
      verifyPassword(password, 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='); // same cost either way
      return null;
    }
    return verifyPassword(password, user.passwordHash) ? { name: user.name, role: user.role, via: 'session' } : null;
  }

  /** A signed session value `<b64 payload>.<mac>` carrying name, role and expiry. */
  issueSession(principal: Principal, now: number): string {
    const payload = Buffer.from(JSON.stringify({ n: principal.name, r: principal.role, e: now + this.config.sessionTtlMs })).toString('base64url');
    return `${payload}.${sign(this.config.sessionSecret, payload)}`;
  }

  fromSession(value: string | undefined, now: number): Principal | null {
    if (!value) return null;
    const [payload, mac] = value.split('.');
    if (!payload || !mac || !safeEqual(sign(this.config.sessionSecret, payload), mac)) return null;
    try {
      const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { n: string; r: Role; e: number };
      if (typeof data.e !== 'number' || data.e < now) return null;
      // The user must still exist with that role (removing a user from config ends their sessions).
      const user = this.config.users.find((u) => u.name === data.n);
      if (!user) return null;
      return { name: user.name, role: user.role, via: 'session' };
    } catch {
      return null;
    }
  }

  /** A CSRF token bound to the session (double submit): forms and fetch calls send it back. */
  csrfToken(session: string): string {
    return sign(this.config.sessionSecret, `csrf:${session}`);
  }

  checkCsrf(session: string, token: string | undefined): boolean {
    return token !== undefined && safeEqual(this.csrfToken(session), token);
  }

  /** Signs any short value (ack links, report-form CSRF). */
  sign(value: string): string {
    return sign(this.config.sessionSecret, value);
  }

  verify(value: string, mac: string): boolean {
    return safeEqual(sign(this.config.sessionSecret, value), mac);
  }

  get hasUsers(): boolean {
    return this.config.users.length > 0;
  }
}

export function roleAllows(role: Role, needed: Role): boolean {
  return role === 'admin' || needed === 'viewer';
}
