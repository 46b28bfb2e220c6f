/**
 * The pages behind a signed ack link (`/ack/<token>`). GET shows what the alert is and a button; only
 * the button's POST acknowledges, so a mail scanner or chat unfurler that fetches the link changes
 * nothing. Pure rendering: every value goes through `escapeHtml`, no inline script or style (the
 * dashboard's CSP applies).
 */
import { primarySeries } from '../alerting/evaluate.js';
import { parseSeriesName, seriesLabel, specificity } from '../alerting/series-name.js';
import type { ActorVia } from '../domain/actor.js';
import type { Alert } from '../domain/alert.js';
import { escapeHtml, page } from './html.js';

/** What the page says about the alert: one headline series, its rate against normal, who owns it. */
export interface AckAlertView {
  readonly id: string;
  readonly title: string;
  readonly series: string;
  readonly category: string | null;
  readonly state: Alert['state'];
  readonly severity: Alert['severity'];
  /** When it started firing (or started, if it never fired). */
  readonly since: number;
  readonly endedAt: number | null;
  /** "12 in the last 15 min vs 2.0 expected (×6.0)" or the peak point's value vs expected; null when unknown. */
  readonly rate: string | null;
  readonly owner: string;
  /** Who is on call now, when that is not the owner. */
  readonly onCallNow: string | null;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedAt: number | null;
}

/** Which page to show. */
export type AckPageState =
  | { readonly kind: 'confirm'; readonly confirm: string; readonly notice?: string }
  | { readonly kind: 'acknowledged'; readonly via: ActorVia }
  | { readonly kind: 'already' }
  | { readonly kind: 'not_firing' };

function num(value: number, digits = 1): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

/** `2026-03-02 10:04 UTC` — links are opened anywhere; UTC says it unambiguously. */
export function utcTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function ago(ms: number, now: number): string {
  const minutes = Math.max(0, Math.round((now - ms) / 60_000));
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 6) / 10;
  return hours < 48 ? `${num(hours)} h ago` : `${num(Math.round(hours / 24))} days ago`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The rate sentence: from the evidence of the last notification when there is one, else the peak point. */
function rateText(alert: Alert, series: string, evidence: unknown): string | null {
  const ev = (Array.isArray(evidence) ? evidence : [evidence]).find((e) => isRecord(e) && e.series === series) ?? (isRecord(evidence) ? evidence : null);
  if (isRecord(ev) && typeof ev.count === 'number') {
    const minutes = isRecord(ev.window) && typeof ev.window.minutes === 'number' ? ev.window.minutes : null;
    const expected = typeof ev.expected === 'number' ? ` vs ${num(ev.expected)} expected` : '';
    const ratio = typeof ev.ratio === 'number' ? ` (×${num(ev.ratio)} of normal)` : '';
    return `${num(ev.count)}${minutes !== null ? ` in ${num(minutes, 0)} min` : ''}${expected}${ratio}`;
  }
  const member = alert.members.find((m) => m.series === series);
  const p = member?.peak ?? member?.latest ?? null;
  if (!p) return null;
  const ratio = p.expected > 0 ? ` (×${num(p.value / p.expected)} of normal)` : '';
  return `peak ${num(p.value, 2)} per minute vs ${num(p.expected, 2)} expected${ratio}`;
}

/** Builds the view of an alert for the ack pages; `name` turns person ids into names. */
export function ackAlertView(
  alert: Alert,
  evidence: unknown,
  people: { readonly name: (id: string | null) => string; readonly onCallNow: string | null },
  labels: Readonly<Record<string, string>> = {},
): AckAlertView {
  const series = primarySeries(alert, specificity) || alert.groupKey;
  const owner = people.name(alert.owner);
  const onCallNow = people.onCallNow !== null && people.onCallNow !== alert.owner ? people.name(people.onCallNow) : null;
  return {
    id: alert.id,
    title: seriesLabel(series, labels),
    series,
    category: parseSeriesName(series).category,
    state: alert.state,
    severity: alert.severity,
    since: alert.firingAt ?? alert.startsAt,
    endedAt: alert.endedAt,
    rate: rateText(alert, series, evidence),
    owner,
    onCallNow,
    acknowledgedBy: alert.acknowledgedBy === null ? null : people.name(alert.acknowledgedBy),
    acknowledgedAt: alert.acknowledgedAt,
  };
}

function summary(view: AckAlertView, now: number): string {
  const rows: [string, string][] = [
    ['Alert', `${view.title} (${view.severity})`],
    ['Series', view.series],
    ...(view.category !== null ? ([['Category', view.category]] as [string, string][]) : []),
    ['State', view.state],
    [view.state === 'firing' ? 'Firing since' : 'Since', `${utcTime(view.since)} (${ago(view.since, now)})`],
    ...(view.endedAt !== null ? ([['Ended', `${utcTime(view.endedAt)} (${ago(view.endedAt, now)})`]] as [string, string][]) : []),
    ...(view.rate !== null ? ([['Rate', view.rate]] as [string, string][]) : []),
    ['Owner', view.owner],
    ...(view.onCallNow !== null ? ([['On call now', view.onCallNow]] as [string, string][]) : []),
  ];
  return `<dl class="ack-summary" id="ack-alert" data-alert-id="${escapeHtml(view.id)}">
${rows.map(([k, v]) => `  <dt>${escapeHtml(k)}</dt><dd data-field="${escapeHtml(k.toLowerCase().replace(/\s+/g, '-'))}">${escapeHtml(v)}</dd>`).join('\n')}
</dl>`;
}

const DASHBOARD_LINK = '<p><a href="/#/alerts">Open the alerts in the dashboard</a></p>';

/** The page for a valid link: the confirm form, or what already happened. */
export function renderAckPage(options: { readonly view: AckAlertView; readonly state: AckPageState; readonly action: string; readonly now: number }): string {
  const { view, state, now } = options;
  let head: string;
  let body: string;
  switch (state.kind) {
    case 'confirm':
      head = 'Acknowledge this alert?';
      body = `${state.notice ? `<p class="error" role="alert" id="ack-notice">${escapeHtml(state.notice)}</p>` : ''}
<p>Acknowledging says that you are on it: escalation and repeated notifications stop. The resolved notification is still sent.</p>
<form method="post" action="${escapeHtml(options.action)}" id="ack-form">
  <input type="hidden" name="confirm" value="${escapeHtml(state.confirm)}">
  <button type="submit" class="primary" id="ack-button">Acknowledge</button>
</form>`;
      break;
    case 'acknowledged':
      head = 'Acknowledged';
      body = `<p id="ack-result" data-result="acknowledged">Acknowledged by ${escapeHtml(view.acknowledgedBy ?? '')} at ${escapeHtml(utcTime(view.acknowledgedAt ?? now))}. Escalation and repeats have stopped.</p>`;
      break;
    case 'already':
      head = 'Already acknowledged';
      body = `<p id="ack-result" data-result="already">Already acknowledged by ${escapeHtml(view.acknowledgedBy ?? '')} at ${escapeHtml(utcTime(view.acknowledgedAt ?? now))}.</p>`;
      break;
    case 'not_firing':
      head = view.state === 'resolved' ? 'Already resolved' : view.state === 'cancelled' ? 'Cancelled' : 'Not firing yet';
      body = `<p id="ack-result" data-result="${escapeHtml(view.state)}">${escapeHtml(
        view.state === 'resolved'
          ? `This alert is resolved${view.endedAt !== null ? ` (since ${utcTime(view.endedAt)})` : ''}: there is nothing to acknowledge.`
          : view.state === 'cancelled'
            ? 'This alert was cancelled before it fired: there is nothing to acknowledge.'
            : 'This alert is pending: it has not fired yet, so there is nothing to acknowledge. Open the link again once it fires.',
      )}</p>`;
      break;
  }
  return page(
    `${head} · complaint-radar`,
    `<main class="narrow">
<div class="card ack-page">
<h1>${escapeHtml(head)}</h1>
${summary(view, now)}
${body}
</div>
${DASHBOARD_LINK}
</main>`,
    { bodyClass: 'ack-page' },
  );
}

/** A link that is not valid (forged, expired) or names an alert that no longer exists. */
export function renderAckProblem(title: string, detail: string): string {
  return page(
    `${title} · complaint-radar`,
    `<main class="narrow">
<div class="card ack-page">
<h1>${escapeHtml(title)}</h1>
<p id="ack-problem">${escapeHtml(detail)}</p>
</div>
${DASHBOARD_LINK}
</main>`,
    { bodyClass: 'ack-page' },
  );
}
