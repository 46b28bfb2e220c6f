/**
 * The frame every polled source shares, so a source module is only its own poll (`run`): jobs name a
 * configured source (an unknown one is an error that is not retried), one poll of a source runs at a
 * time in this process (`OnePollAtATime`), and each entry is scheduled at its interval with the
 * fingerprint that keeps a source stopped on a rejected credential stopped across restarts.
 */
import type { ZodTypeAny } from 'zod';
import { configFingerprint } from './config-fingerprint.js';
import { OnePollAtATime } from './one-poll-at-a-time.js';
import type { PollContext, PollHandler, PollKind } from './poll.js';

export interface SourcePollSpec<K extends PollKind, C extends { readonly name: string }, R> {
  readonly kind: K;
  /** The entries that are polled (a webhook-only entry is left out by the caller). */
  readonly configs: readonly C[];
  /** The entry's schema: it says which fields are secrets (hashed into the fingerprint, never stored). */
  readonly schema: ZodTypeAny;
  /** How often an entry is polled (ms). */
  readonly everyMs: (config: C) => number;
  /** The error for a job naming a source that is not configured (made not retryable). */
  readonly unknownSource: (source: string) => Error;
  /** The result of a poll skipped because one of the same source still runs in this process. */
  readonly idle: (ctx: PollContext) => NoInfer<R>;
  /** One poll of one configured source. */
  readonly run: (config: C, ctx: PollContext) => Promise<R>;
}

export interface SourcePollHandler<K extends PollKind, R> extends PollHandler {
  readonly kind: K;
  /** The same as `poll`, returning what it did. */
  pollOnce(job: { readonly source: string }, ctx: PollContext): Promise<R>;
}

/**
 * @example sourcePollHandler({ kind: 'vk', configs, schema: vkSourceSchema, everyMs: (c) => c.pollInterval,
 *   unknownSource: (s) => new VkApiError(s, `no vk source named "${s}" is configured`, false), idle, run })
 */
export function sourcePollHandler<K extends PollKind, C extends { readonly name: string }, R>(spec: SourcePollSpec<K, C, R>): SourcePollHandler<K, R> {
  const byName = new Map(spec.configs.map((c) => [c.name, c]));
  const polls = new OnePollAtATime();

  async function pollOnce(job: { readonly source: string }, ctx: PollContext): Promise<R> {
    const config = byName.get(job.source);
    if (!config) throw spec.unknownSource(job.source);
    return polls.run(config.name, ctx, () => spec.idle(ctx), () => spec.run(config, ctx));
  }

  return {
    kind: spec.kind,
    schedules: spec.configs.map((c) => ({ source: c.name, everyMs: spec.everyMs(c), fingerprint: configFingerprint(spec.kind, spec.schema, c) })),
    async poll(job, ctx) {
      await pollOnce(job, ctx);
    },
    pollOnce,
  };
}
