/**
 * Crash points for the crash tests: when the environment variable `RADAR_FAILPOINT` names a point, the
 * process kills itself there with SIGKILL — exactly what `kill -9` does, between two precise steps
 * (e.g. after the tick committed, before the relay enqueued). Unset, a failpoint does nothing.
 */
export function failpoint(name: string): void {
  if (process.env.RADAR_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}
