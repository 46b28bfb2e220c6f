/**
 * The real @atproto/api agent for one source: logs in with the app password (createSession; the agent
 * refreshes the session itself when the access token expires), every request with a timeout, and the
 * last answer's `ratelimit-*` headers kept (the agent does not hand them out on errors of its own).
 */
import { AtpAgent } from '@atproto/api';
import type { BlueskySourceConfig } from '../../config/bluesky.js';

export interface BlueskyClient {
  readonly agent: AtpAgent;
  /** Headers of the last response (lower-case names). */
  lastHeaders: Headers | null;
  loggedIn: boolean;
}

export function createBlueskyClient(config: Pick<BlueskySourceConfig, 'service' | 'requestTimeout'>): BlueskyClient {
  const client: { agent: AtpAgent | null; lastHeaders: Headers | null; loggedIn: boolean } = { agent: null, lastHeaders: null, loggedIn: false };
  const timedFetch: typeof fetch = async (input, init) => {
    const timeout = AbortSignal.timeout(config.requestTimeout);
    const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const response = await fetch(input, { ...init, signal });
    client.lastHeaders = response.headers;
    return response;
  };
  client.agent = new AtpAgent({ service: config.service, fetch: timedFetch });
  return client as BlueskyClient;
}
