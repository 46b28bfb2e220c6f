/**
 * The chaos run behind test/integration/chaos/chaos.test.ts (short) and bench/chaos.bench.ts (10,000
 * messages): the service as separate `radar start --role …` processes (api, ingest ×2, poll,
 * detect+notify) on one PostgreSQL schema and a three-master Redis Cluster (append-only, fsync always), fed
 * by an IMAP mailbox (a real Dovecot) and the push API, while a seeded schedule kill -9s random
 * processes and starts them again, kill -9s one Redis primary and starts it again on its port and
 * folder, and terminates the application's PostgreSQL backends. Afterwards it reads the database and
 * the webhook receiver and reports, by id, every message lost or doubled, every bucket whose counts
 * differ from the stored messages, and every injected incident not paged exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createCluster } from '../../src/queues/connection.js';
import { RedisKeys } from '../../src/queues/keys.js';
import { dropSchema } from '../../src/store/database.js';
import { mail, startDovecot, freePort, type Dovecot } from './dovecot.js';
import { startFakeReceiver, type FakeReceiver } from './fake-receivers.js';
import { startRedisCluster, type TestRedisCluster } from './redis-cluster.js';
import { POSTGRES_URL, uniqueName } from './services.js';
import { waitFor } from './wait.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/radar.js');
const MIN = 60_000;
const TOKEN = 'chaos-test-token-0123456789abcdef';
const ENV: Record<string, string> = {
  RADAR_SESSION_SECRET: 'chaos-test-session-secret-0123456789-abcdef',
  RADAR_AUTHOR_KEY: 'chaos-test-author-key-0123456789-abcdefghij',
  RADAR_API_TOKEN: TOKEN,
  CHAOS_IMAP_PASSWORD: 'pass',
  LOG_LEVEL: 'info',
  METRICS_PORT: '0',
  // The config file says where Redis and the database are; nothing from the caller's environment.
  REDIS_URL: '',
  REDIS_CLUSTER_NODES: '',
  REDIS_SENTINEL_NODES: '',
  DATABASE_URL: '',
};

export interface ChaosOptions {
  /** Messages in all: about half mailed to the IMAP mailbox, half pushed to the API. */
  readonly messages: number;
  /** Seeds the chaos schedule (which process, which action, in what order). */
  readonly seed: number;
  /** Incidents injected through the push API (a metric series each, spiking in its last minutes). */
  readonly incidents?: number;
  /** Process kills (kill -9 and start again) over the run. */
  readonly kills?: number;
  /** Redis primary restarts over the run. */
  readonly redisRestarts?: number;
  /** PostgreSQL terminations of the application's backends over the run. */
  readonly pgTerminations?: number;
  /** How long the feed is spread over (the chaos schedule runs over the same stretch). Default 25 s. */
  readonly feedMs?: number;
  /**
   * Masters with an append-only file, fsync on every write (default). `false` runs them as caches: a
   * restarted primary comes back empty and the jobs it held are lost — the run then reports them.
   */
  readonly redisPersistent?: boolean;
  /** Progress lines (the bench prints them; the test keeps them for a failure message). */
  readonly log?: (line: string) => void;
}

export interface ChaosReport {
  readonly seed: number;
  readonly pushed: number;
  readonly mailed: number;
  readonly stored: number;
  /** The schedule as it ran: `kill ingest-2`, `redis restart 127.0.0.1:…`, `pg terminate (3 backends)`. */
  readonly actions: readonly string[];
  readonly kills: number;
  readonly redisRestarts: number;
  readonly pgTerminations: number;
  /** Ids (push ids, Message-IDs) accepted or mailed but not stored. */
  readonly lost: readonly string[];
  /** Push ids or Message-IDs stored more than once (under different ids), or ids nobody sent. */
  readonly doubled: readonly string[];
  /** `<series>@<bucket ISO>: counted n, stored m` for every bucket whose count differs from the messages. */
  readonly countMismatches: readonly string[];
  /** Per injected incident series: the distinct firing pages (idempotency keys) the receiver got. */
  readonly pages: Readonly<Record<string, number>>;
  /** Push requests sent again because the api did not answer 202 (killed, Redis or PostgreSQL away). */
  readonly pushRetries: number;
  /** Webhook deliveries in all (a notify process killed mid-send delivers again under the same key). */
  readonly deliveries: number;
  /** Firing pages for series that had no incident. */
  readonly strayPages: readonly string[];
  /** Processes that exited on their own after they had started (and were started again). */
  readonly crashes: readonly string[];
  /** Starts that failed (exit 1 with one `error:` line) because Redis or PostgreSQL was cut under them; started again. */
  readonly startFailures: readonly string[];
  readonly elapsedMs: number;
}

/** mulberry32: a small seeded PRNG, so a failing schedule can be run again. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RoleProc {
  readonly name: string;
  readonly role: string;
  child: ChildProcess;
  stderr: string;
  url: string;
  /** Set just before the schedule kills it, so its exit is not counted as a crash. */
  killing: boolean;
}

const ROLES: ReadonlyArray<{ name: string; role: string }> = [
  { name: 'api', role: 'api' },
  { name: 'ingest-1', role: 'ingest' },
  { name: 'ingest-2', role: 'ingest' },
  { name: 'poll', role: 'poll' },
  // The notifier rides with the detector (the relay's outbox is its input): one process fewer on 2 cores.
  { name: 'detect', role: 'detect,notify' },
];

/** The series a webhook page is about (its alert's members). */
function seriesOfPage(r: { json: unknown }): string {
  const members = (r.json as { alert?: { members?: Array<{ series?: string }> } } | undefined)?.alert?.members ?? [];
  return members.map((m) => m.series ?? '?').join(',') || '?';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A baseline of about 20 a minute with a fixed wiggle, and 200 a minute in the spike. */
function incidentPoints(now: number, seedOffset: number): Array<{ t: string; v: number }> {
  const end = Math.floor(now / MIN) * MIN - MIN;
  const points: Array<{ t: string; v: number }> = [];
  for (let t = end - 2 * 24 * 60 * MIN; t <= end; t += MIN) {
    const spike = t >= end - 6 * MIN && t <= end - 2 * MIN;
    const wiggle = [0, 2, -1, 1, -2, 3, 0, -1, 2, -3][(t / MIN + seedOffset) % 10] ?? 0;
    points.push({ t: new Date(t).toISOString(), v: spike ? 200 : 20 + wiggle });
  }
  return points;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  const incidents = options.incidents ?? 3;
  const mailed = Math.floor(options.messages / 2);
  const pushed = options.messages - mailed;
  const prefix = uniqueName('chaos');
  const schema = prefix.toLowerCase();
  const appName = `radar-${schema}`.slice(0, 60);
  const dir = mkdtempSync(join(tmpdir(), 'radar-chaos-'));
  const actions: string[] = [];
  const crashes: string[] = [];
  const startFailures: string[] = [];
  let cluster: TestRedisCluster | undefined;
  let dovecot: Dovecot | undefined;
  let receiver: FakeReceiver | undefined;
  const procs = new Map<string, RoleProc>();
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  let stopping = false;
  let probe: ReturnType<typeof createCluster> | undefined;

  const spawnRole = (name: string, role: string, env: Record<string, string>): RoleProc => {
    const child = spawn(process.execPath, [BIN, 'start', '--role', role, '-c', join(dir, 'radar.yaml')], {
      cwd: ROOT,
      env: { ...process.env, ...ENV, ...env, RADAR_CONFIG: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const proc: RoleProc = { name, role, child, stderr: '', url: '', killing: false };
    child.stderr?.on('data', (chunk: Buffer) => {
      proc.stderr = (proc.stderr + chunk.toString()).slice(-20_000);
      proc.url ||= /complaint-radar is running: (http:\/\/[^/\s]+)\//.exec(proc.stderr)?.[1] ?? /metrics: (http:\/\/[^/\s]+)\/metrics/.exec(proc.stderr)?.[1] ?? '';
    });
    child.once('exit', (code, signal) => {
      if (stopping || proc.killing) return;
      // Not the schedule's doing. Before it said it runs: a start that failed on a dependency cut under
      // it (one `error:` line, exit 1; a supervisor starts it again). After: a crash, which the test fails on.
      // Either way it is started again, as a supervisor would.
      const what = `${name} exited with ${code ?? signal}: ${proc.stderr.trim().split('\n').slice(-3).join(' | ')}`;
      if (proc.url === '') startFailures.push(what);
      else crashes.push(what);
      log(`${proc.url === '' ? 'failed start' : 'crash'}: ${name} exited with ${code ?? signal}:\n${proc.stderr.slice(-4000)}`);
      if (!stopping) procs.set(name, spawnRole(name, role, env));
    });
    return proc;
  };

  try {
    await admin.connect();
    [cluster, dovecot, receiver] = await Promise.all([startRedisCluster(3, { persistent: options.redisPersistent ?? true }), startDovecot(), startFakeReceiver()]);
    const apiPort = await freePort();
    const databaseUrl = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}application_name=${appName}`;
    writeFileSync(
      join(dir, 'radar.yaml'),
      [
        `dataDir: ${join(dir, 'data')}`,
        `redis: { url: "redis://127.0.0.1:1", cluster: [${cluster.nodes.map((n) => `"${n}"`).join(', ')}], prefix: ${prefix}, autoStart: false }`,
        `database: { url: "${databaseUrl}", schema: ${schema} }`,
        'auth:',
        '  sessionSecret: ${RADAR_SESSION_SECRET}',
        '  tokens: [{ name: chaos, token: "${RADAR_API_TOKEN}", role: admin }]',
        'demo: { enabled: false }',
        'sources:',
        '  imap:',
        `    - { name: chaosmail, host: 127.0.0.1, port: ${dovecot.port}, tls: none, user: ${dovecot.user}, password: "\${CHAOS_IMAP_PASSWORD}", mailboxes: [INBOX], pollInterval: 1s, batchSize: 100 }`,
        'detect:',
        '  series: [{ key: "incident.*", model: counts, direction: up }]',
        'alerting:',
        '  rules: [{ name: incidents, match: ["incident.*"], group: series, directions: [up] }]',
        '  oncall: { escalation: { after: 0 } }',
        `  notifiers: [{ type: webhook, url: "${receiver.url}/hook", sendResolved: false }]`,
        '  evidence: { correlated: 0 }',
        '',
      ].join('\n'),
    );

    // Migrations once, as a deployment does; then every role in its own process.
    const migrate = spawn(process.execPath, [BIN, 'migrate', '-c', join(dir, 'radar.yaml')], { cwd: ROOT, env: { ...process.env, ...ENV }, stdio: ['ignore', 'ignore', 'pipe'] });
    let migrateErr = '';
    migrate.stderr?.on('data', (c: Buffer) => (migrateErr += c.toString()));
    const migrated = await new Promise<number | null>((resolve) => migrate.once('exit', resolve));
    if (migrated !== 0) throw new Error(`radar migrate failed: ${migrateErr}`);
    const envOf = (name: string): Record<string, string> => (name === 'api' ? { PORT: String(apiPort) } : { PORT: '0' });
    for (const { name, role } of ROLES) procs.set(name, spawnRole(name, role, envOf(name)));
    await waitFor(() => [...procs.values()].every((p) => p.url !== ''), 90_000, `roles did not start: ${[...procs.values()].filter((p) => p.url === '').map((p) => `${p.name}: ${p.stderr}`).join('\n')}`);
    log(`started ${procs.size} processes, cluster ${cluster.nodes.join(' ')}, schema ${schema}`);
    const apiUrl = `http://127.0.0.1:${apiPort}`;

    // The schedule, drawn up front from the seed: kills, Redis restarts and PostgreSQL terminations, shuffled.
    const kills = options.kills ?? 8;
    const plan: Array<'kill' | 'redis' | 'pg'> = [
      ...Array<'kill'>(kills).fill('kill'),
      ...Array<'redis'>(options.redisRestarts ?? 1).fill('redis'),
      ...Array<'pg'>(options.pgTerminations ?? 3).fill('pg'),
    ];
    for (let i = plan.length - 1; i > 0; i -= 1) {
      const j = Math.floor(random() * (i + 1));
      [plan[i], plan[j]] = [plan[j] as (typeof plan)[number], plan[i] as (typeof plan)[number]];
    }
    const victims = plan.map(() => ROLES[Math.floor(random() * ROLES.length)]?.name ?? 'ingest-1');
    const ingestTag = new RedisKeys(prefix, { slotPerQueue: true }).bullPrefixFor('ingest');
    const redis = createCluster({ url: 'redis://', cluster: cluster.nodes });
    probe = redis;
    const slot = Number(await redis.call('CLUSTER', 'KEYSLOT', `${ingestTag}:ingest:wait`));
    const ingestMaster = redis.slots[slot]?.[0] ?? cluster.nodes[0];
    const waitingJobs = async () => Number(await redis.llen(`${ingestTag}:ingest:wait`).catch(() => 0));

    // Feeding: the push API in batches (a batch not answered 202 is sent again: same ids), mail in batches.
    let feeding = true;
    let pushRetries = 0;
    const post = async (path: string, body: unknown): Promise<void> => {
      for (let attempt = 0; ; attempt += 1) {
        try {
          const res = await fetch(`${apiUrl}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(10_000),
          });
          await res.arrayBuffer();
          if (res.status === 202) return;
          if (res.status < 500 && res.status !== 429) throw new Error(`POST ${path}: ${res.status}`);
        } catch (error) {
          if ((error as Error).message.startsWith('POST ')) throw error;
        }
        if (attempt > 600) throw new Error(`POST ${path}: never accepted`);
        pushRetries += 1;
        await sleep(100);
      }
    };
    const feedMs = options.feedMs ?? 25_000;
    const feedStart = Date.now();
    const sleepUntil = (at: number) => sleep(Math.max(0, at - Date.now()));
    const incidentAt = Array.from({ length: incidents }, (_, k) => Math.floor(((k + 1) * pushed) / (incidents + 1)));
    const pushFeed = (async () => {
      const batch = 50;
      const batches = Math.ceil(pushed / batch);
      let next = 0;
      for (let b = 0; b < batches; b += 1) {
        await sleepUntil(feedStart + (b * feedMs) / batches);
        const i = b * batch;
        const messages = [];
        for (let j = i; j < Math.min(pushed, i + batch); j += 1) messages.push({ id: `chaos-p-${j}`, channel: 'api', text: `the app crashes when I pay, try ${j}`, author: `user${j % 97}@example.com` });
        await post('/api/messages', { messages });
        while (next < incidents && (incidentAt[next] ?? Infinity) <= i + batch) {
          await post(`/api/series/incident.k${next}`, incidentPoints(Date.now(), next * 3));
          log(`incident.k${next} pushed`);
          next += 1;
        }
      }
    })();
    const mailFeed = (async () => {
      const batch = 100;
      const batches = Math.ceil(mailed / batch);
      for (let b = 0; b < batches; b += 1) {
        await sleepUntil(feedStart + (b * feedMs) / batches);
        const mails = [];
        for (let j = b * batch; j < Math.min(mailed, (b + 1) * batch); j += 1) {
          mails.push(mail({ subject: `Order ${j} never arrived`, messageId: `chaos-m-${j}@example.com`, date: new Date().toUTCString(), body: `My order ${j} never arrived and support does not answer.` }));
        }
        await dovecot?.append(mails);
      }
    })();
    const feed = Promise.all([pushFeed, mailFeed]).finally(() => (feeding = false));

    const kill = async (proc: RoleProc): Promise<void> => {
      proc.killing = true;
      const exited = new Promise<void>((resolve) => (proc.child.exitCode !== null || proc.child.signalCode !== null ? resolve() : proc.child.once('exit', () => resolve())));
      proc.child.kill('SIGKILL');
      await exited;
    };
    // Chaos: the plan spread evenly over the feed, each step at a seeded moment of its slot.
    let redisRestarts = 0;
    let pgTerminations = 0;
    let killCount = 0;
    const stepMs = feedMs / plan.length;
    for (let i = 0; i < plan.length; i += 1) {
      await sleepUntil(feedStart + i * stepMs + random() * stepMs * 0.8);
      const action = plan[i];
      if (action === 'kill') {
        const name = victims[i] ?? 'ingest-1';
        const proc = procs.get(name);
        if (!proc) continue;
        await kill(proc);
        procs.set(name, spawnRole(name, proc.role, envOf(name)));
        killCount += 1;
        actions.push(`kill -9 ${name}`);
      } else if (action === 'redis') {
        // With both ingest workers down the queue backs up on the primary that holds it, which is then
        // killed (no shutdown save) and started again: what it had acknowledged must still be there.
        const ingesters = ['ingest-1', 'ingest-2'].map((n) => procs.get(n)).filter((p): p is RoleProc => p !== undefined);
        await Promise.all(ingesters.map((p) => kill(p)));
        await waitFor(async () => (await waitingJobs()) >= 20, 10_000, 'no backlog').catch(() => undefined);
        const waiting = await waitingJobs();
        const index = cluster.nodes.indexOf(ingestMaster ?? '');
        await cluster.restartMaster(index < 0 ? 0 : index);
        for (const p of ingesters) procs.set(p.name, spawnRole(p.name, p.role, envOf(p.name)));
        redisRestarts += 1;
        actions.push(`redis primary ${ingestMaster} kill -9 + restart with ${waiting} ingest jobs waiting on it`);
      } else {
        const res = await admin.query(
          'select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and application_name = $1 and pid <> pg_backend_pid()',
          [appName],
        );
        pgTerminations += 1;
        actions.push(`pg_terminate_backend (${String(res.rows[0]?.n ?? 0)} backends)`);
      }
      log(`chaos: ${actions.at(-1) ?? ''}${feeding ? '' : ' (after the feed)'}`);
    }
    await feed;
    log(`fed ${pushed} pushed + ${mailed} mailed in ${Date.now() - feedStart} ms`);

    // Quiescence: every mail and push stored, every incident paged (or the safety net runs out), queues empty.
    const q = (text: string, params: unknown[] = []) => admin.query(text.replaceAll('$schema', `"${schema}"`), params);
    const storedCount = async () => Number((await q('select count(*)::int as n from $schema.messages')).rows[0]?.n ?? 0);
    const firing = () => receiver?.requests.filter((r) => (r.json as { kind?: string } | undefined)?.kind === 'firing') ?? [];
    const pagedSeries = () => new Set(firing().map(seriesOfPage));
    await waitFor(async () => (await storedCount()) >= options.messages, 120_000, 'messages did not all arrive').catch(() => undefined);
    log(`stored ${await storedCount()} of ${options.messages}`);
    await waitFor(() => Array.from({ length: incidents }, (_, k) => `incident.k${k}`).every((s) => pagedSeries().has(s)), 90_000, 'incidents not paged').catch(() => undefined);
    log(`paged ${[...pagedSeries()].join(' ')}`);
    // A little longer: a doubled message or page would show up now.
    await sleep(3_000);

    const rows = (await q('select id, meta, created_at from $schema.messages')).rows as Array<{ id: string; meta: string | null; created_at: string }>;
    const lost: string[] = [];
    const doubled: string[] = [];
    const seen = new Map<string, number>();
    for (const row of rows) {
      let origin: string;
      if (row.id.startsWith('api:')) origin = row.id.slice(4);
      else if (row.id.startsWith('imap:')) origin = String((JSON.parse(row.meta ?? '{}') as { messageId?: string }).messageId ?? row.id).replace(/^<|>$/g, '');
      else origin = row.id;
      seen.set(origin, (seen.get(origin) ?? 0) + 1);
    }
    const expected = new Set<string>();
    for (let j = 0; j < pushed; j += 1) expected.add(`chaos-p-${j}`);
    for (let j = 0; j < mailed; j += 1) expected.add(`chaos-m-${j}@example.com`);
    for (const id of expected) if (!seen.has(id)) lost.push(id);
    for (const [id, n] of seen) {
      if (n > 1) doubled.push(`${id} ×${n}`);
      if (!expected.has(id)) doubled.push(`${id} (never sent)`);
    }

    // Counts: each counter bucket against the stored messages it counts.
    const countMismatches: string[] = [];
    const compare = async (key: string, where: string, params: unknown[] = []) => {
      const res = await q(
        `with m as (select (created_at / 60000) * 60000 as t, count(*)::int as n from $schema.messages ${where} group by 1),
              s as (select t, v from $schema.series_points where key = $1)
         select coalesce(m.t, s.t)::bigint as t, coalesce(m.n, 0) as stored, coalesce(s.v, 0) as counted
           from m full outer join s on s.t = m.t where coalesce(m.n, 0) <> coalesce(s.v, 0)`,
        [key, ...params],
      );
      for (const r of res.rows as Array<{ t: string; stored: number; counted: number }>) {
        countMismatches.push(`${key}@${new Date(Number(r.t)).toISOString()}: counted ${r.counted}, stored ${r.stored}`);
      }
    };
    await compare('messages', '');
    await compare('messages.channel.api', "where channel = $2", ['api']);
    await compare('messages.channel.email', "where channel = $2", ['email']);
    await compare('complaints', 'where complaint = 1');

    const pages: Record<string, number> = {};
    const strayPages: string[] = [];
    for (let k = 0; k < incidents; k += 1) pages[`incident.k${k}`] = 0;
    const keysBySeries = new Map<string, Set<string>>();
    for (const r of firing()) {
      const series = seriesOfPage(r);
      const key = String(r.headers['idempotency-key'] ?? '');
      const set = keysBySeries.get(series) ?? new Set<string>();
      set.add(key);
      keysBySeries.set(series, set);
    }
    for (const [series, keys] of keysBySeries) {
      if (series in pages) pages[series] = keys.size;
      else strayPages.push(`${series} (${keys.size})`);
    }
    return {
      seed: options.seed,
      pushed,
      mailed,
      stored: rows.length,
      actions,
      kills: killCount,
      redisRestarts,
      pgTerminations,
      lost,
      doubled,
      countMismatches,
      pages,
      pushRetries,
      deliveries: receiver.requests.length,
      strayPages,
      crashes: [...crashes],
      startFailures: [...startFailures],
      elapsedMs: Date.now() - started,
    };
  } finally {
    stopping = true;
    await Promise.all(
      [...procs.values()].map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
            p.child.once('exit', () => resolve());
            p.child.kill('SIGKILL');
          }),
      ),
    );
    probe?.disconnect();
    await cluster?.stop();
    await dovecot?.stop();
    await receiver?.close();
    await admin.end().catch(() => undefined);
    await dropSchema(POSTGRES_URL, schema).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}
