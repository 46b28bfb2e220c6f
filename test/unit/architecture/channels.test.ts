import { describe, expect, it } from 'vitest';
import { CHANNEL_NAMES, CHANNELS, LANG_NAMES, LANGS } from '../../../src/domain/message.js';
// @ts-expect-error -- the dashboard is plain browser JavaScript, imported here only for its lists
import { CHANNEL_NAMES as DASHBOARD_CHANNEL_NAMES, CHANNELS as DASHBOARD_CHANNELS, LANG_NAMES as DASHBOARD_LANG_NAMES, LANGS as DASHBOARD_LANGS } from '../../../src/dashboard/static/views/common.js';

describe('channels', () => {
  it('the dashboard filters offer exactly the channels a message can have', () => {
    expect(DASHBOARD_CHANNELS).toEqual([...CHANNELS]);
    expect(DASHBOARD_LANGS).toEqual([...LANGS]);
  });
  it('the dashboard names channels and languages as the server does (the catalogue keys of their names)', () => {
    expect(DASHBOARD_CHANNEL_NAMES).toEqual(CHANNEL_NAMES);
    expect(DASHBOARD_LANG_NAMES).toEqual(LANG_NAMES);
  });
});
