/** Every vendor's webhook adapter, by vendor. */
import type { HelpdeskVendor } from '../../config/helpdesk.js';
import { freshdeskWebhook } from './freshdesk-webhook.js';
import { intercomWebhook } from './intercom-webhook.js';
import { jiraWebhook } from './jira-webhook.js';
import type { WebhookAdapter } from './vendor.js';
import { zammadWebhook } from './zammad-webhook.js';
import { zendeskWebhook } from './zendesk-webhook.js';

export const WEBHOOK_ADAPTERS: Readonly<Record<HelpdeskVendor, WebhookAdapter>> = {
  zendesk: zendeskWebhook,
  jira: jiraWebhook,
  freshdesk: freshdeskWebhook,
  zammad: zammadWebhook,
  intercom: intercomWebhook,
};
