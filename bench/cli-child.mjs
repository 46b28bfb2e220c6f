// The reference processes of bench/cli.bench.ts, started the way bin/radar.js starts (tsx's loader):
// `floor` loads only commander (what any `radar` process costs at least); `eager` builds the program
// and then loads every module the commands load when they run — what each `radar` process paid while
// every command's module was imported up front.
import { register } from 'tsx/esm/api';

register();
const mode = process.argv[2];
if (mode === 'floor') {
  await import('commander');
} else if (mode === 'eager') {
  await (await import('../src/cli.ts')).buildProgram();
  await Promise.all(
    [
      '../src/config/service.ts', '../src/config/keywords.ts', '../src/config/alerting.ts', '../src/config/deployment.ts', '../src/config/duration.ts',
      '../src/classify/classifier.ts', '../src/classify/evaluate.ts', '../src/classify/keyword-model.ts', '../src/classify/keyword-examples.ts',
      '../src/classify/learning-curve.ts', '../src/classify/labelled.ts', '../src/classify/learned-model.ts', '../src/classify/compare.ts',
      '../src/store/store.ts', '../src/store/database.ts', '../src/store/retention.ts', '../src/api/schemas.ts', '../src/queues/message-schema.ts',
      '../src/platform/log.ts', '../src/platform/passwords.ts', '../src/alerting/compile.ts', '../src/alerting/notification.ts', '../src/alerting/route.ts',
      '../src/alerting/time-zone.ts', '../src/cli/detect-run.ts', '../src/sources/imap/imap-session.ts', '../src/sources/imap/parse-mail.ts',
      '../src/sources/imap/build-message.ts', '../workers/replay.ts', '../workers/classifier.ts', '../workers/source-probe.ts', 'pino', 'cli-progress', 'yaml',
    ].map((m) => import(m)),
  );
} else {
  throw new Error(`cli-child: unknown mode ${mode}`);
}
