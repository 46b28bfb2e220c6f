/**
 * The real vk-io API client for one source: `apiBaseUrl` points it at `apiBase` (a proxy, or a local
 * fake server in tests), it paces itself to `requestsPerSecond`, and it never retries a failed request
 * itself (`apiRetryLimit: 0`): the poll fails and the poll worker retries it with backoff. VK's error 6
 * (too many requests per second) is the one vk-io waits out on its own (about 1.1 s, then asks again).
 */
import http from 'node:http';
import https from 'node:https';
import { API } from 'vk-io';
import type { VkSourceConfig } from '../../config/vk.js';

export const VK_API_BASE = 'https://api.vk.ru/method';
export const VK_API_VERSION = '5.199';

export function createVkApi(config: Pick<VkSourceConfig, 'token' | 'apiBase' | 'requestTimeout' | 'requestsPerSecond'>): API {
  const base = config.apiBase ?? VK_API_BASE;
  const plain = base.startsWith('http://');
  return new API({
    token: config.token,
    apiBaseUrl: base,
    apiVersion: VK_API_VERSION,
    apiLimit: config.requestsPerSecond,
    apiTimeout: config.requestTimeout,
    apiRetryLimit: 0,
    agent: (plain ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true })) as https.Agent,
  });
}
