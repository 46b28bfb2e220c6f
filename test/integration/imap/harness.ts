/** Shared set-up of the IMAP integration tests: a test service, a poll context like the poll worker's, config. */
import { imapSourceSchema, type ImapSourceConfig, type ImapSourceInput } from '../../../src/config/imap.js';
import type { Message } from '../../../src/domain/message.js';
import type { PollContext, PollHandler } from '../../../src/sources/poll.js';
import { createImapPollHandler, type ImapHandlerDeps } from '../../../src/sources/imap/poll-handler.js';
import { redisSeenIds } from '../../../src/sources/imap/seen-ids.js';
import { messageIdFromJobId } from '../../../src/queues/keys.js';
import type { TestService } from '../../helpers/services.js';
import type { Dovecot } from '../../helpers/dovecot.js';

export function sourceConfig(dovecot: Dovecot, overrides: Partial<ImapSourceInput> = {}): ImapSourceConfig {
  return imapSourceSchema.parse({
    name: 'support',
    host: dovecot.host,
    port: dovecot.port,
    tls: 'none',
    user: dovecot.user,
    password: dovecot.password,
    pollInterval: '1s',
    connectTimeout: '5s',
    loginTimeout: '5s',
    idleTimeout: '10s',
    ...overrides,
  });
}

export function handlerFor(service: TestService, configs: readonly ImapSourceConfig[], deps: Partial<ImapHandlerDeps> = {}): PollHandler {
  return createImapPollHandler(configs, {
    authorSalt: 'integration-salt',
    seenIds: redisSeenIds(service.ctx.redis, service.ctx.keys),
    ...deps,
  });
}

export interface Recorder {
  /** Every message handed to enqueue, in order (a re-enqueued batch appears twice here, once in the queue). */
  readonly enqueued: Message[];
  ctx: PollContext;
}

/** A PollContext wired like workers/poll.ts (real queue, real state, real dead-letter store). */
export function pollContext(service: TestService, hooks: { beforeEnqueue?: (batch: readonly Message[]) => Promise<void> } = {}): Recorder {
  const { ctx } = service;
  const enqueued: Message[] = [];
  return {
    enqueued,
    ctx: {
      log: ctx.log,
      state: ctx.sources,
      storeSeries: (_source, points, cursors) => ctx.store.storePulled(points, new Map([...cursors].map(([c, v]) => [c, JSON.stringify(v)])), ctx.clock.now()),
      enqueue: async (messages) => {
        await hooks.beforeEnqueue?.(messages);
        await ctx.queues.enqueueMessages(messages);
        enqueued.push(...messages);
      },
      deadLetter: (letter) => ctx.store.deadLetters.add({ ...letter, queue: 'poll' }, ctx.clock.now()),
      now: () => ctx.clock.now(),
      signal: new AbortController().signal,
    },
  };
}

/** Message ids of every job in the ingest queue (the worker is not running, so they all wait). */
export async function queuedIds(service: TestService): Promise<string[]> {
  const jobs = await service.ctx.queues.get('ingest').getJobs(['waiting', 'active', 'completed', 'delayed', 'prioritized', 'failed']);
  return jobs.map((j) => messageIdFromJobId(j.id ?? '')).sort();
}

export async function queuedMessages(service: TestService): Promise<Message[]> {
  const jobs = await service.ctx.queues.get('ingest').getJobs(['waiting', 'active', 'completed', 'delayed', 'prioritized', 'failed']);
  return jobs.map((j) => (j.data as { message: Message }).message).sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * A loopback TCP proxy in front of Dovecot that can cut or stall the connection when the server has
 * sent a given number of bytes: a dropped connection (or a killed server) in the middle of a FETCH.
 */
export interface Proxy {
  readonly port: number;
  /** Server → client bytes relayed so far. */
  readonly relayed: number;
  /** When the relayed bytes pass `bytes`: stop relaying and call `action` once. */
  onBytes(bytes: number, action: 'cut' | 'stall' | (() => void | Promise<void>)): void;
  clear(): void;
  close(): Promise<void>;
}

export async function startProxy(targetPort: number): Promise<Proxy> {
  const { createServer, connect } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  let relayed = 0;
  let trigger: { bytes: number; action: 'cut' | 'stall' | (() => void | Promise<void>) } | null = null;
  let tripped = false;
  const server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk: Buffer) => {
      if (tripped) return;
      if (trigger && relayed + chunk.length > trigger.bytes) {
        tripped = true;
        const part = chunk.subarray(0, Math.max(0, trigger.bytes - relayed));
        relayed += part.length;
        client.write(part);
        const action = trigger.action;
        if (action === 'cut') drop();
        else if (action !== 'stall') void action();
        return;
      }
      relayed += chunk.length;
      client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    get relayed() {
      return relayed;
    },
    onBytes(bytes, action) {
      trigger = { bytes, action };
      tripped = false;
    },
    clear() {
      trigger = null;
      tripped = false;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
