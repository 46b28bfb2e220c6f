import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../../src/config/load.js';
import { imapSourcesSchema } from '../../../src/config/imap.js';

const parse = (yaml: string, env: NodeJS.ProcessEnv = { PW: 'secret' }) => parseConfigText(yaml, 'imap.yaml', imapSourcesSchema, env);

describe('imap config', () => {
  it('applies defaults', () => {
    const [source] = parse('- name: support\n  host: imap.gmail.com\n  user: s@example.com\n  password: ${PW}\n');
    expect(source).toEqual({
      name: 'support', host: 'imap.gmail.com', port: 993, tls: 'implicit', tlsInsecure: false, user: 's@example.com', password: 'secret',
      mailboxes: ['INBOX'], pollInterval: 60_000, batchSize: 200, markSeen: false, connectTimeout: 15_000, loginTimeout: 15_000,
      idleTimeout: 60_000, selfAddresses: [],
    });
  });

  it('starttls defaults to port 143', () => {
    expect(parse('- {name: a, host: mail.example.com, tls: starttls, user: u, password: "${PW}"}')[0]?.port).toBe(143);
  });

  const errors: Array<[string, string, RegExp]> = [
    ['unknown key', '- {name: a, host: h, user: u, password: "${PW}", folder: X}', /imap\.yaml:1: \[0\]: unknown key "folder"/],
    ['tls none off loopback', '- {name: a, host: mail.example.com, tls: none, user: u, password: "${PW}"}', /\[0\]\.tls: tls: none is allowed only for a loopback host/],
    ['bad duration', '- {name: a, host: h, user: u, password: "${PW}", pollInterval: often}', /\[0\]\.pollInterval: "often" is not a duration/],
    ['duplicate names', '- {name: a, host: h, user: u, password: "${PW}"}\n- {name: a, host: h, user: u, password: "${PW}"}', /\[1\]\.name: duplicate source name "a"/],
    ['bad name', '- {name: "a b", host: h, user: u, password: "${PW}"}', /\[0\]\.name: use letters, digits/],
    ['missing env', '- {name: a, host: h, user: u, password: "${NOPE}"}', /NOPE/],
    ['duplicate mailboxes', '- {name: a, host: h, user: u, password: "${PW}", mailboxes: [INBOX, INBOX]}', /mailboxes must be unique/],
  ];
  it.each(errors)('%s', (_name, yaml, message) => {
    expect(() => parse(yaml)).toThrow(message);
  });
});
