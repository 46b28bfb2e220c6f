/** Polls `check` until it is true; fails with `message` after `timeoutMs` (a safety net, not a timing assertion). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 30_000, message = 'condition not met'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`waitFor timed out: ${message}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
