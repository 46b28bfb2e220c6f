import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue } from '../../../src/config/load.js';
import { loadServiceConfig } from '../../../src/config/service.js';
import { configuredPolls } from '../../../src/sources/poll.js';

const fixture = (name: string) => new URL(`../../fixtures/config/${name}`, import.meta.url).pathname;
const env = { RADAR_TEST_TOKEN: 'x'.repeat(40) };

function errorsOf(name: string): string[] {
  try {
    loadServiceConfig(fixture(name), env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => formatIssue({ ...i, file: name }));
    throw error;
  }
  throw new Error(`${name} was accepted`);
}

describe('sources.helpdesk config errors', () => {
  it.each([
    ['helpdesk-literal-secret.yaml', ['helpdesk-literal-secret.yaml:7: sources.helpdesk[0].webhook.secrets[0]: a secret written in the file: set it in the environment and write ${HELPDESK_WEBHOOK_SECRET} here']],
    ['helpdesk-poll-unsupported.yaml', ['helpdesk-poll-unsupported.yaml:6: sources.helpdesk[0].poll: polling is supported for zendesk and freshdesk; use webhook for zammad']],
    ['helpdesk-neither.yaml', ['helpdesk-neither.yaml:3: sources.helpdesk[0].webhook: set webhook, poll or both']],
    ['helpdesk-zendesk-no-email.yaml', ['helpdesk-zendesk-no-email.yaml:6: sources.helpdesk[0].poll.email: Zendesk polling needs the e-mail of the API token\'s agent']],
  ])('%s', (name, expected) => {
    expect(errorsOf(name)).toEqual(expected);
  });
});

describe('sources.helpdesk', () => {
  it('parses webhook and poll settings with their defaults, and schedules only the polled desks', () => {
    const config = loadServiceConfig(fixture('helpdesk-good.yaml'), env);
    const [zd, jsm] = config.sources.helpdesk;
    expect(zd).toMatchObject({ vendor: 'zendesk', url: 'https://acme.zendesk.com', webhook: { tolerance: 300_000, maxEventAge: 86_400_000 }, poll: { interval: 60_000, lookback: 3_600_000, maxPagesPerPoll: 10 } });
    expect(jsm?.webhook?.maxEventAge).toBe(3_600_000);
    expect(configuredPolls(config.sources)).toEqual([{ kind: 'helpdesk', source: 'zd', everyMs: 60_000 }]);
  });
});
