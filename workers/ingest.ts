/**
 * The `ingest` worker: validate → classify → store (deduplicated by id) → count. Writes are batched
 * (one transaction per batch), so throughput is bounded by Redis, not by the database. A message that
 * keeps failing is dead-lettered with the reason after its retries; the ones around it go on.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { isValidMessage, messageSchema, timeProblem } from '../src/queues/message-schema.js';
import type { JobPayloads } from '../src/queues/jobs.js';
import { messageIdFromJobId } from '../src/queues/keys.js';
import { IngestWriter } from '../src/store/ingest-writer.js';
import type { Message } from '../src/domain/message.js';
import { describeError } from '../src/platform/errors.js';
import { CounterTally } from '../src/platform/metrics.js';
import { categoryLabel, languageLabel } from '../src/series/export-gauges.js';
import type { ServiceContext } from './context.js';
import { duplicateRedis } from '../src/queues/connection.js';

export interface IngestWorker {
  readonly worker: Worker;
  close(): Promise<void>;
}

export interface IngestWorkerOptions {
  readonly concurrency?: number;
  /** BullMQ job lock; a crashed worker's jobs return to the queue after it (tests shorten it). */
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
}

export function startIngestWorker(ctx: ServiceContext, options: IngestWorkerOptions = {}): IngestWorker {
  const log = ctx.log.child({ module: 'ingest', queue: 'ingest' });
  const concurrency = options.concurrency ?? ctx.config.ingest.concurrency;
  // A batch's new messages and complaints, added to their counters once per label set.
  const ingested = new CounterTally(['channel', 'source'] as const);
  const complaints = new CounterTally(['category', 'channel', 'language'] as const);
  const writer = new IngestWriter(ctx.store, {
    step: ctx.config.series.step,
    // Every job slot waits for its batch: once all slots wait, waiting longer adds nothing. Half the
    // slots per batch keeps two batches going: one commits while the other fills.
    batchSize: Math.max(1, Math.min(ctx.config.ingest.batchSize, Math.floor(concurrency / 2))),
    batchWaitMs: ctx.config.ingest.batchWait,
    now: () => ctx.clock.now(),
    // Messages for a bucket the detector had already judged: counted per source (radar_late_messages_total).
    onLate: (perSource) => {
      for (const [source, n] of perSource) ctx.metrics.lateMessages.inc({ source }, n);
    },
    onCommitted: (fresh, duplicates) => {
      ctx.metrics.ingestBatch.observe(fresh.length + duplicates);
      if (duplicates > 0) ctx.metrics.duplicates.inc(duplicates);
      const known = ctx.classifier.categories;
      for (const { message, classification } of fresh) {
        ingested.add(message.channel, message.source);
        if (classification.complaint) {
          // Bounded labels: a keyword-config category (else `other`), `none` for no category; en, ru or other.
          const language = languageLabel(message.lang ?? classification.lang);
          for (const c of classification.categories) complaints.add(categoryLabel(c.name, known), message.channel, language);
          if (classification.categories.length === 0) complaints.add('none', message.channel, language);
        }
      }
      ingested.addTo(ctx.metrics.ingested);
      complaints.addTo(ctx.metrics.complaints);
    },
  });

  const worker = new Worker<JobPayloads['ingest']>(
    'ingest',
    async (job: Job<JobPayloads['ingest']>) => {
      const message = validMessage(job.data?.message);
      // The API refuses these with a 400; a polled tweet or mail with an absurd date is set aside here, with the reason.
      const problem = timeProblem(Date.parse(message.createdAt), ctx.clock.now(), ctx.config.ingest.maxFutureSkew);
      if (problem !== null) throw new UnrecoverableError(`invalid message: createdAt: ${problem}`);
      const classification = ctx.classifier.current.classify(message.text, message.lang, message.channel);
      ctx.metrics.classified.inc({ lang: classification.lang ?? 'unknown' });
      // Nothing is returned: a return value would be one more write to Redis per message.
      await writer.write({ message, classification });
    },
    {
      connection: duplicateRedis(ctx.redis),
      prefix: ctx.keys.bullPrefixFor('ingest'),
      concurrency,
      autorun: true,
      ...(options.lockDurationMs === undefined ? {} : { lockDuration: options.lockDurationMs }),
      ...(options.stalledIntervalMs === undefined ? {} : { stalledInterval: options.stalledIntervalMs }),
    },
  );

  worker.on('failed', (job, error) => {
    if (!job) return;
    const final = error instanceof UnrecoverableError || error.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    ctx.metrics.jobFailures.inc({ queue: 'ingest', final: String(final) });
    const messageId = job.id === undefined ? null : messageIdFromJobId(job.id);
    log.warn({ jobId: job.id, attempts: job.attemptsMade, final, err: error }, 'ingest failed');
    if (!final) return;
    const message = job.data?.message as Partial<Message> | undefined;
    void ctx.store.deadLetters
      .add(
        {
          messageId,
          queue: 'ingest',
          source: typeof message?.source === 'string' ? message.source : null,
          payload: JSON.stringify(job.data ?? null),
          reason: describeError(error),
          attempts: job.attemptsMade,
        },
        ctx.clock.now(),
      )
      .then(() => ctx.metrics.deadLetters.inc({ queue: 'ingest' }))
      .catch((e: unknown) => log.error({ jobId: job.id, err: e }, 'could not write dead letter; the failed job stays in Redis'));
  });
  worker.on('error', (error) => log.error({ err: error }, 'ingest worker error'));

  return {
    worker,
    async close() {
      await worker.close();
      await writer.flush();
    },
  };
}

/** The queued message if it is one (the plain check first, zod only for what it does not pass), else an UnrecoverableError saying why. */
function validMessage(value: unknown): Message {
  if (isValidMessage(value)) return value;
  const parsed = messageSchema.safeParse(value);
  if (parsed.success) return parsed.data as Message;
  const issue = parsed.error.issues[0];
  throw new UnrecoverableError(`invalid message: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown'}`);
}
