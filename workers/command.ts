/**
 * `radar start`, `radar worker <name>`, `radar config check`, `radar ingest`, `radar auth hash-password`.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { cliErrorText, exitWithError } from '../src/cli/errors.js';
import type { ServiceConfig } from '../src/config/service.js';
import type { Logger } from '../src/platform/log.js';
import { describeError, RadarError } from '../src/platform/errors.js';
import type { Message } from '../src/domain/message.js';

// What the commands run (config schemas, the logger, queues, the service) is imported when a command
// runs, not when the program is built: `radar --help` and a command that needs none of it start fast.
const serviceConfig = () => import('../src/config/service.js');
const logger = async () => (await import('../src/platform/log.js')).createLogger;
const progressBar = () => import('cli-progress');

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** Loads the service config or exits 1 with file:line: key: what. */
export async function loadConfigOrExit(file?: string): Promise<{ config: ServiceConfig; file: string }> {
  const { loadServiceConfig, serviceConfigPath } = await serviceConfig();
  const path = file ?? serviceConfigPath();
  try {
    return { config: loadServiceConfig(path), file: path };
  } catch (error) {
    process.stderr.write(`${describeConfigError(error)}\n`);
    process.exit(1);
  }
}

function describeConfigError(error: unknown): string {
  return cliErrorText(error);
}

/** A progress bar on a terminal, a line every 10% elsewhere. */
function backfillProgress({ SingleBar, Presets }: typeof import('cli-progress')): (done: number, total: number) => void {
  let bar: SingleBar | null = null;
  let lastTenth = -1;
  return (done, total) => {
    if (process.stderr.isTTY) {
      if (!bar) {
        bar = new SingleBar({ format: 'demo history |{bar}| {percentage}% {value}/{total} minutes', stream: process.stderr }, Presets.shades_classic);
        bar.start(total, 0);
      }
      bar.update(done);
      if (done >= total) bar.stop();
    } else {
      const tenth = Math.floor((done / total) * 10);
      if (tenth !== lastTenth) process.stderr.write(`demo history: ${tenth * 10}% (${done}/${total} minutes)\n`);
      lastTenth = tenth;
    }
  };
}

/** What one process runs: `radar start --role …` (roles.ts) or `radar worker <kinds…>`. */
interface StartPlan {
  readonly workers: readonly string[];
  readonly api: boolean;
  /** The whole service in this process (role all): it migrates under `database.migrate: auto`. */
  readonly all: boolean;
  /** Start a private redis-server when none answers. */
  readonly autoStartRedis: boolean;
}

async function startCommand(plan: StartPlan, configFile: string | undefined): Promise<void> {
  const { config, file } = await loadConfigOrExit(configFile);
  const log = (await logger())({ level: config.logLevel });
  const { runService, WORKER_KINDS } = await import('./service.js');
  const { migratesAtStart } = await import('./roles.js');
  const workers = plan.workers;
  for (const k of workers) {
    if (!(WORKER_KINDS as readonly string[]).includes(k)) {
      process.stderr.write(`error: unknown worker "${k}" (one of ${WORKER_KINDS.join(', ')})\n`);
      process.exit(1);
    }
  }
  log.info({ config: file }, 'starting');
  try {
    const service = await runService({
      config,
      log,
      workers: workers as (typeof WORKER_KINDS)[number][],
      api: plan.api,
      autoStartRedis: plan.autoStartRedis,
      migrations: migratesAtStart(config, plan.all) ? 'apply' : 'check',
      onBackfillProgress: backfillProgress(await progressBar()),
      waitForDatabase: true,
      onWaitingForDatabase: (reason, healthUrl) => {
        process.stderr.write(`waiting for the database (${reason}); retrying with backoff${healthUrl === null ? '' : `, ${healthUrl} answers 503 "starting" meanwhile`}\n`);
      },
      onFirstStart: (info) => {
        process.stderr.write(
          [
            '',
            '  complaint-radar generated credentials (shown once; kept in ' + info.file + '):',
            `    dashboard login:  ${info.name} / ${info.password}`,
            `    API token:        ${info.apiToken}`,
            '  Configure your own users and tokens under `auth` in the config to replace them.',
            '',
          ].join('\n') + '\n',
        );
      },
    });
    service.shutdown.installSignalHandlers();
    // Only the workers that run here: a requested kind with nothing to do (poll without sources, demo
    // beside real sources, retention switched off) does not start and is not listed.
    log.info({ workers: service.workers, api: plan.api, url: service.url, metricsUrl: service.metricsUrl }, 'started');
    if (service.url) process.stderr.write(`\n  complaint-radar is running: ${service.url}/  (Ctrl-C to stop)\n\n`);
    if (service.metricsUrl) process.stderr.write(`\n  complaint-radar workers (${service.workers.join(', ') || 'none'}) are running; metrics: ${service.metricsUrl}/metrics  (Ctrl-C to stop)\n\n`);
  } catch (error) {
    log.fatal({ err: error }, 'start failed');
    process.stderr.write(`${describeConfigError(error)}\n`);
    process.exit(1);
  }
}

/**
 * The keyword file a service config names (`classify.keywords`, else the default), read from the raw
 * YAML of a config that did not validate; null when it cannot be known (a YAML error, a `${VAR}`).
 */
async function keywordFileNamedIn(text: string): Promise<string | null> {
  const { parse: parseYaml } = await import('yaml');
  const { serviceConfigSchema } = await serviceConfig();
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch {
    return null;
  }
  const classify = raw !== null && typeof raw === 'object' ? (raw as { classify?: unknown }).classify : undefined;
  const named = classify !== null && typeof classify === 'object' ? (classify as { keywords?: unknown }).keywords : undefined;
  if (named === undefined) return serviceConfigSchema.parse({}).classify.keywords;
  return typeof named === 'string' && !named.includes('${') ? named : null;
}

/** A keyword config (top-level `categories:`, no `server:`) rather than a service config. */
export function looksLikeKeywordConfig(text: string): boolean {
  return /^categories\s*:/m.test(text) && !/^server\s*:/m.test(text);
}

/** `--deployment`: refuses (exit 1) what breaks a service spread over processes and hosts. */
function deploymentCheck(config: ServiceConfig, checkDeployment: typeof import('../src/config/deployment.js').checkDeployment): boolean {
  const { errors, notes } = checkDeployment(config, process.env);
  for (const note of notes) process.stderr.write(`note: deployment: ${note}\n`);
  for (const error of errors) process.stderr.write(`error: deployment: ${error}\n`);
  if (errors.length > 0) return false;
  const redis =
    config.redis.cluster.length > 0 ? `Redis Cluster ${config.redis.cluster.join(', ')}` : config.redis.sentinels.length > 0 ? `the Redis primary "${config.redis.sentinelName}" of sentinels ${config.redis.sentinels.join(', ')}` : 'one Redis';
  out(`deployment: ok (PostgreSQL schema ${config.database.schema}, ${redis}, session secret and author key from the environment)`);
  return true;
}

async function configCheck(file: string | undefined, deployment = false): Promise<void> {
  const path = file ?? (await serviceConfig()).serviceConfigPath();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    exitWithError(error);
  }
  const looksLikeKeywords = looksLikeKeywordConfig(text);
  try {
    if (looksLikeKeywords) {
      const { loadKeywords } = await import('../src/config/keywords.js');
      const { compileKeywords } = await import('../src/classify/keyword-model.js');
      const { checkKeywordExamples } = await import('../src/classify/examples-check.js');
      const model = compileKeywords(loadKeywords(path));
      const check = checkKeywordExamples(model);
      if (!check.ok) {
        for (const f of check.failures) out(`example failed: ${JSON.stringify(f)}`);
        process.stderr.write(`error: ${path}: ${check.failures.length} example(s) do not classify as the config says\n`);
        process.exit(1);
      }
      out(`${path}: ok (keyword config, ${model.config.categories.length} categories, all examples pass)`);
    } else {
      const { loadKeywords } = await import('../src/config/keywords.js');
      const { loadServiceConfig } = await serviceConfig();
      let keywords: string | null;
      let failed = false;
      try {
        const config = loadServiceConfig(path);
        keywords = config.classify.keywords;
        out(`${path}: ok (service config)`);
        if (deployment && !deploymentCheck(config, (await import('../src/config/deployment.js')).checkDeployment)) failed = true;
      } catch (error) {
        // Report it, and still check the keyword file the config names: one run shows every problem.
        process.stderr.write(`${describeConfigError(error)}\n`);
        failed = true;
        keywords = await keywordFileNamedIn(text);
      }
      if (keywords !== null) {
        try {
          loadKeywords(keywords);
          out(`${keywords}: ok (keyword config it names)`);
        } catch (error) {
          process.stderr.write(`${describeConfigError(error)}\n`);
          failed = true;
        }
      }
      if (failed) process.exit(1);
    }
  } catch (error) {
    process.stderr.write(`${describeConfigError(error)}\n`);
    process.exit(1);
  }
}

async function ingestFile(file: string, configFile: string | undefined): Promise<void> {
  if (!existsSync(file)) exitWithError(new RadarError('ERR_NOT_FOUND', `${file}: file not found`, { context: { file } }));
  const { config } = await loadConfigOrExit(configFile);
  const log: Logger = (await logger())({ level: 'warn' });
  const [{ SingleBar, Presets }, { pushedMessageSchema, toMessage }, { timeProblem }] = await Promise.all([progressBar(), import('../src/api/schemas.js'), import('../src/queues/message-schema.js')]);
  const { createContext } = await import('./context.js');
  const { LiveClassifier } = await import('./classifier.js');
  const classifier = new LiveClassifier(config.classify.keywords, log, () => Date.now());
  const ctx = await createContext(config, { log, classifier, autoStartRedis: false });
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  const total = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').length;
  const bar = new SingleBar({ format: 'ingest |{bar}| {value}/{total} queued, {bad} rejected', stream: process.stderr }, Presets.shades_classic);
  bar.start(total, 0, { bad: 0 });
  let batch: Message[] = [];
  let bad = 0;
  let n = 0;
  let lineNo = 0;
  const now = Date.now();
  for await (const line of lines) {
    lineNo += 1;
    if (line.trim() === '') continue;
    try {
      const parsed = pushedMessageSchema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
      // The same bounds as the push API (ingest would dead-letter a far-future or pre-2000 date anyway).
      const problem = parsed.data.createdAt === undefined ? null : timeProblem(parsed.data.createdAt, now, config.ingest.maxFutureSkew);
      if (problem !== null) throw new Error(`createdAt: ${problem}`);
      batch.push(toMessage(parsed.data, now, ctx.authorKey));
    } catch (error) {
      bad += 1;
      process.stderr.write(`\n${file}:${lineNo}: rejected: ${describeError(error)}\n`);
    }
    n += 1;
    if (batch.length >= 1000) {
      await ctx.queues.enqueueMessages(batch);
      batch = [];
    }
    bar.update(n, { bad });
  }
  if (batch.length > 0) await ctx.queues.enqueueMessages(batch);
  bar.update(n, { bad });
  bar.stop();
  out(`${n - bad} messages queued for ingest, ${bad} rejected (a running service's ingest workers store and count them)`);
  await ctx.close();
  classifier.close();
  if (bad > 0) process.exitCode = 2;
}

export function register(program: Command): void {
  program
    .command('start')
    .description(
      'run the service: by default all of it in one process (api, dashboard, every worker, demo source when no source is configured); --role runs a part, for a deployment over several processes and hosts',
    )
    .option('-c, --config <file>', 'service config (default: $RADAR_CONFIG, config/radar.yaml, config/radar.example.yaml)')
    .option('--role <roles>', 'what this process runs, comma-separated: api, ingest, poll (with the demo source), detect (with retention), notify, or all', 'all')
    .action(async (flags: { config?: string; role: string }) => {
      const { planRoles } = await import('./roles.js');
      let plan: ReturnType<typeof planRoles>;
      try {
        plan = planRoles(flags.role);
      } catch (error) {
        exitWithError(error);
      }
      await startCommand({ workers: plan.workers, api: plan.api, all: plan.all, autoStartRedis: plan.all }, flags.config);
    });

  program
    .command('worker')
    .description('run worker kinds only (ingest, poll, detect, notify, demo, retention), for scaling out over processes and hosts; /metrics on metrics.port (METRICS_PORT)')
    .argument('<names...>', 'worker kinds')
    .option('-c, --config <file>', 'service config')
    .option('--api', 'also serve the HTTP api', false)
    .action(async (names: string[], flags: { config?: string; api: boolean }) => startCommand({ workers: names, api: flags.api, all: false, autoStartRedis: true }, flags.config));

  const config = program.command('config').description('configuration tools');
  config
    .command('check')
    .description('validate a service config or keyword config file (and the keyword examples)')
    .argument('[file]', 'file to check (default: the service config)')
    .option('-c, --config <file>', 'the file to check, as the other commands name their config (same as [file])')
    .option('--deployment', 'also refuse what breaks a service over several processes and hosts: a local SQLite database, a session secret, author key or login not shared through the environment', false)
    .action(async (file: string | undefined, flags: { config?: string; deployment: boolean }) => configCheck(file ?? flags.config, flags.deployment));

  program
    .command('ingest')
    .description('bulk-load a JSONL file of messages ({channel, text, id?, author?, createdAt?, lang?, link?}) into the ingest queue')
    .argument('<file>', 'JSONL file')
    .option('-c, --config <file>', 'service config')
    .action(async (file: string, flags: { config?: string }) => ingestFile(file, flags.config));

  program
    .command('auth')
    .description('authentication helpers')
    .command('hash-password')
    .description('print the scrypt hash of a password (read from stdin) for auth.users[].passwordHash')
    .action(async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
      if (password.length < 8) {
        process.stderr.write('error: the password must be at least 8 characters\n');
        process.exit(1);
      }
      const { hashPassword } = await import('../src/platform/passwords.js');
      out(hashPassword(password));
    });
}
