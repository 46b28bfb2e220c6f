import { describe, expect, it } from 'vitest';
import { CHANNELS } from '../../../src/domain/message.js';
// @ts-expect-error -- the dashboard is plain browser JavaScript, imported here only for its list
import { CHANNELS as DASHBOARD_CHANNELS } from '../../../src/dashboard/static/views/common.js';

describe('channels', () => {
  it('the dashboard filters offer exactly the channels a message can have', () => {
    expect(DASHBOARD_CHANNELS).toEqual([...CHANNELS]);
  });
});
