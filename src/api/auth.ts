import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from '../config/service.js';
import type { Actor } from '../domain/actor.js';
import { verifyPassword } from '../platform/passwords.js';
import type { SessionStore } from '../store/session-store.js';

export interface Principal {
  readonly name: string;
  readonly role: Role;
  /** How the caller proved who it is. */
  readonly via: 'token' | 'session';
  /** The server-side session a cookie names (sessions only). */
  readonly sessionId?: string;
}

/** A freshly issued session: the cookie value and the row to store (`SessionStore.create`). */
export interface IssuedSession {
  readonly value: string;
  readonly id: string;
  readonly expiresAt: number;
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

  /** Checks a name and password (scrypt off the event loop; an unknown name costs the same). */
  async login(name: string, password: string): Promise<Principal | null> {
    const user = this.config.users.find((u) => u.name === name);
    if (!user) {
      await verifyPassword(password, 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='); // same cost either way
      return null;
    }
    return (await verifyPassword(password, user.passwordHash)) ? { name: user.name, role: user.role, via: 'session' } : null;
  }

  /**
   * A signed session value `<b64 payload>.<mac>` carrying name, role, expiry and a random session id.
   * The signature stops forgery; the id must also be open in the session store (logout ends it).
   */
  issueSession(principal: Principal, now: number): IssuedSession {
    const id = randomBytes(18).toString('base64url');
    const expiresAt = now + this.config.sessionTtlMs;
    const payload = Buffer.from(JSON.stringify({ n: principal.name, r: principal.role, e: expiresAt, s: id })).toString('base64url');
    return { value: `${payload}.${sign(this.config.sessionSecret, payload)}`, id, expiresAt };
  }

  /** The principal a signed, unexpired cookie names (not yet checked against the session store). */
  fromSession(value: string | undefined, now: number): Principal | null {
    if (!value) return null;
    const [payload, mac] = value.split('.');
    if (!payload || !mac || !safeEqual(sign(this.config.sessionSecret, payload), mac)) return null;
    try {
      const data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { n: string; r: Role; e: number; s?: unknown };
      if (typeof data.e !== 'number' || data.e < now) return null;
      // Cookies from before server-side sessions carry no id: they are no longer accepted.
      if (typeof data.s !== 'string' || data.s.length === 0) return null;
      // The user must still exist with that role (removing a user from config ends their sessions).
      const user = this.config.users.find((u) => u.name === data.n);
      if (!user) return null;
      return { name: user.name, role: user.role, via: 'session', sessionId: data.s };
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

/** The principal of a request's session cookie when it is signed, unexpired and still open on the server. */
export async function openSessionPrincipal(auth: Authenticator, sessions: SessionStore, value: string | undefined, now: number): Promise<Principal | null> {
  const principal = auth.fromSession(value, now);
  if (!principal?.sessionId) return null;
  return (await sessions.isOpen(principal.sessionId, principal.name, now)) ? principal : null;
}

/** Who did something and how, for the alert history and label history: a session is the dashboard. */
export function actorOf(principal: Principal | null): Actor {
  if (!principal) return { by: 'unknown', via: 'api' };
  return { by: principal.name, via: principal.via === 'token' ? 'api' : 'dashboard' };
}
