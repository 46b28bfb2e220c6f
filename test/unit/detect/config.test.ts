import { describe, expect, it } from 'vitest';
import { compileDetectorOptions, detectConfigSchema, keyMatches } from '../../../src/config/detect.js';

describe('detect config', () => {
  it('watches complaints and every complaints.<category> relative to traffic by default', () => {
    const config = detectConfigSchema.parse({});
    for (const key of ['complaints', 'complaints.payments', 'complaints.login.2fa']) {
      expect(compileDetectorOptions(config, key)).toMatchObject({ key, reference: 'traffic', options: { model: 'counts', direction: 'up', memoryMinutes: 720, rearmMinutes: 10 } });
    }
    expect(compileDetectorOptions(config, 'traffic')).toBeNull();
  });

  it('merges defaults with the first matching entry', () => {
    const config = detectConfigSchema.parse({
      defaults: { minCount: 5, sensitivity: 2, tuning: { clipZ: 5 } },
      series: [
        { key: 'letters_sent', reference: 'traffic', direction: 'down', tuning: { cusumK: 2 } },
        { key: 'complaints.*', minCount: 2 },
      ],
    });
    expect(compileDetectorOptions(config, 'letters_sent')).toEqual({
      key: 'letters_sent',
      reference: 'traffic',
      options: { minCount: 5, sensitivity: 2, direction: 'down', tuning: { clipZ: 5, cusumK: 2 } },
    });
    expect(compileDetectorOptions(config, 'complaints.x')?.options).toMatchObject({ minCount: 2, sensitivity: 2 });
    expect(compileDetectorOptions(config, 'complaints.x')?.reference).toBeNull();
  });

  it('is off when disabled', () => {
    expect(compileDetectorOptions(detectConfigSchema.parse({ enabled: false }), 'complaints')).toBeNull();
  });

  it.each([
    [{ series: [{ key: 'x', sensitivty: 2 }] }, /Unrecognized key/],
    [{ defaults: { direction: 'sideways' } }, /Invalid enum value/],
    [{ series: [{ key: 'x', threshold: 2 }] }, /less than or equal to 1/],
    // a constant that was a tuning option once (now fixed in the code) is an unknown key, not silently ignored
    [{ defaults: { tuning: { rankWindow: 30 } } }, /Unrecognized key.*rankWindow/],
  ])('rejects %j', (raw, message) => {
    const r = detectConfigSchema.safeParse(raw);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(message);
  });

  it.each([
    ['complaints.*', 'complaints.payments', true],
    ['complaints.*', 'complaints', false],
    ['complaints', 'complaints', true],
    ['*.errors', 'api.errors', true],
    ['complaints.*', 'complaintsXpayments', false],
  ])('%s matches %s: %s', (pattern, key, ok) => expect(keyMatches(pattern, key)).toBe(ok));
});
