/**
 * The pages behind a signed ack link (`/ack/<token>`). GET shows what the alert is and a button; only
 * the button's POST acknowledges, so a mail scanner or chat unfurler that fetches the link changes
 * nothing. Pure rendering: every value goes through `escapeHtml`, no inline script or style (the
 * dashboard's CSP applies). In English or Russian (`pickUiLang`: `?lang=`, the dashboard's language
 * cookie, Accept-Language), worded from the dashboard's catalogue (`static/i18n/ru.json`).
 */
import { primarySeries } from '../alerting/evaluate.js';
import { parseSeriesName, seriesLabel, specificity } from '../alerting/series-name.js';
import type { ActorVia } from '../domain/actor.js';
import type { Alert } from '../domain/alert.js';
import { escapeHtml, languageLinks, page } from './html.js';
import { translator, type Translate, type UiLang } from './i18n.js';

/** Which page to show. */
export type AckPageState =
  | { readonly kind: 'confirm'; readonly confirm: string; readonly notice?: string }
  | { readonly kind: 'acknowledged'; readonly via: ActorVia }
  | { readonly kind: 'already' }
  | { readonly kind: 'not_firing' };

/** The page's language and its wording: `t` from the dashboard's catalogue, numbers and dates for the locale. */
interface Words {
  readonly lang: UiLang;
  readonly t: Translate;
  readonly num: (value: number, digits?: number) => string;
  readonly time: (ms: number) => string;
}

const NUMBER_LOCALES: Record<UiLang, string> = { en: 'en-GB', ru: 'ru-RU' };

function words(lang: UiLang): Words {
  const formats = new Map<number, Intl.NumberFormat>();
  const format = (digits: number) => {
    let f = formats.get(digits);
    if (!f) formats.set(digits, (f = new Intl.NumberFormat(NUMBER_LOCALES[lang], { maximumFractionDigits: digits, minimumFractionDigits: digits })));
    return f;
  };
  // English keeps the plain digits it always had ("1075", "2.0"); Russian writes "1 075", "2,0".
  const num = (value: number, digits = 1) =>
    lang === 'en' ? (Number.isInteger(value) ? String(value) : value.toFixed(digits)) : format(Number.isInteger(value) ? 0 : digits).format(value);
  return { lang, t: translator(lang), num, time: (ms) => utcTime(ms, lang) };
}

const RU_UTC = new Intl.DateTimeFormat('ru-RU', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });

/** `2026-03-02 10:04 UTC` (ru: `02.03.2026, 10:04 UTC`) — links are opened anywhere; UTC says it unambiguously. */
export function utcTime(ms: number, lang: UiLang = 'en'): string {
  if (lang === 'ru') return `${RU_UTC.format(new Date(ms))} UTC`;
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function ago(ms: number, now: number, w: Words): string {
  const minutes = Math.max(0, Math.round((now - ms) / 60_000));
  if (minutes < 60) return w.t('{n} min ago', { n: minutes });
  const hours = Math.round(minutes / 6) / 10;
  return hours < 48 ? w.t('{n} h ago', { n: w.num(hours) }) : w.t('{n} d ago', { n: w.num(Math.round(hours / 24)) });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The rate as facts (the sentence is put together in the page's language by `rateText`). */
export type AckRate =
  | { readonly kind: 'window'; readonly count: number; readonly minutes: number | null; readonly expected: number | null; readonly ratio: number | null }
  | { readonly kind: 'peak'; readonly value: number; readonly expected: number; readonly ratio: number | null };

/** The rate: from the evidence of the last notification when there is one, else the peak point. */
function rateOf(alert: Alert, series: string, evidence: unknown): AckRate | null {
  const ev = (Array.isArray(evidence) ? evidence : [evidence]).find((e) => isRecord(e) && e.series === series) ?? (isRecord(evidence) ? evidence : null);
  if (isRecord(ev) && typeof ev.count === 'number') {
    const minutes = isRecord(ev.window) && typeof ev.window.minutes === 'number' ? ev.window.minutes : null;
    return { kind: 'window', count: ev.count, minutes, expected: typeof ev.expected === 'number' ? ev.expected : null, ratio: typeof ev.ratio === 'number' ? ev.ratio : null };
  }
  const member = alert.members.find((m) => m.series === series);
  const p = member?.peak ?? member?.latest ?? null;
  if (!p) return null;
  return { kind: 'peak', value: p.value, expected: p.expected, ratio: p.expected > 0 ? p.value / p.expected : null };
}

/** "40 in 10 min vs 1.2 expected (×33.3 of normal)", "peak 3.5 per minute vs 0.4 expected (×8.8 of normal)". */
function rateText(rate: AckRate, w: Words): string {
  const { t, num } = w;
  const ratio = rate.ratio === null ? '' : ` (${t('×{ratio} of normal', { ratio: num(rate.ratio) })})`;
  if (rate.kind === 'peak') return `${t('peak {value} per minute vs {expected} expected', { value: num(rate.value, 2), expected: num(rate.expected, 2) })}${ratio}`;
  const count = num(rate.count);
  if (rate.minutes !== null && rate.expected !== null) return `${t('{count} in {minutes} min vs {expected} expected', { count, minutes: num(rate.minutes, 0), expected: num(rate.expected) })}${ratio}`;
  if (rate.minutes !== null) return `${t('{count} in {minutes} min', { count, minutes: num(rate.minutes, 0) })}${ratio}`;
  if (rate.expected !== null) return `${t('{count} vs {expected} expected', { count, expected: num(rate.expected) })}${ratio}`;
  return `${count}${ratio}`;
}

/** What the page says about the alert, as facts; `renderAckPage` words it in the reader's language. */
export interface AckAlertView {
  readonly id: string;
  readonly series: string;
  /** A configured label for the series, if the deployment gave one. */
  readonly labels: Readonly<Record<string, string>>;
  readonly category: string | null;
  readonly state: Alert['state'];
  readonly severity: Alert['severity'];
  /** When it started firing (or started, if it never fired). */
  readonly since: number;
  readonly endedAt: number | null;
  /** The count in the last window vs expected, or the peak point's value vs expected; null when unknown. */
  readonly rate: AckRate | null;
  readonly owner: string;
  /** Who is on call now, when that is not the owner. */
  readonly onCallNow: string | null;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedAt: number | null;
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
    series,
    labels,
    category: parseSeriesName(series).category,
    state: alert.state,
    severity: alert.severity,
    since: alert.firingAt ?? alert.startsAt,
    endedAt: alert.endedAt,
    rate: rateOf(alert, series, evidence),
    owner,
    onCallNow,
    acknowledgedBy: alert.acknowledgedBy === null ? null : people.name(alert.acknowledgedBy),
    acknowledgedAt: alert.acknowledgedAt,
  };
}

/** The alert's headline series in words: the API's English label, or the catalogue's wording (as the dashboard). */
function ackTitle(view: AckAlertView, lang: UiLang): string {
  return lang === 'en' ? seriesLabel(view.series, view.labels) : seriesLabel(view.series, view.labels, translator(lang));
}

function summary(view: AckAlertView, now: number, w: Words): string {
  const { t } = w;
  // [data-field (stable, English), label, value]
  const rows: [string, string, string][] = [
    ['alert', t('Alert'), `${ackTitle(view, w.lang)} (${t(view.severity)})`],
    ['series', t('Series'), view.series],
    ...(view.category !== null ? ([['category', t('Category'), view.category]] as [string, string, string][]) : []),
    ['state', t('State'), t(view.state)],
    [view.state === 'firing' ? 'firing-since' : 'since', view.state === 'firing' ? t('Firing since') : t('Since'), `${w.time(view.since)} (${ago(view.since, now, w)})`],
    ...(view.endedAt !== null ? ([['ended', t('Ended'), `${w.time(view.endedAt)} (${ago(view.endedAt, now, w)})`]] as [string, string, string][]) : []),
    ...(view.rate !== null ? ([['rate', t('Rate'), rateText(view.rate, w)]] as [string, string, string][]) : []),
    ['owner', t('Owner'), view.owner],
    ...(view.onCallNow !== null ? ([['on-call-now', t('On call now'), view.onCallNow]] as [string, string, string][]) : []),
  ];
  return `<dl class="ack-summary" id="ack-alert" data-alert-id="${escapeHtml(view.id)}">
${rows.map(([field, k, v]) => `  <dt>${escapeHtml(k)}</dt><dd data-field="${field}">${escapeHtml(v)}</dd>`).join('\n')}
</dl>`;
}

function dashboardLink(t: Translate): string {
  return `<p><a href="/#/alerts">${escapeHtml(t('Open the alerts in the dashboard'))}</a></p>`;
}

/** The page for a valid link: the confirm form, or what already happened. `path` is the link's own path (`/ack/<token>`). */
export function renderAckPage(options: { readonly view: AckAlertView; readonly state: AckPageState; readonly path: string; readonly now: number; readonly lang?: UiLang }): string {
  const { view, state, now } = options;
  const lang = options.lang ?? 'en';
  const w = words(lang);
  const { t } = w;
  let head: string;
  let body: string;
  switch (state.kind) {
    case 'confirm':
      head = t('Acknowledge this alert?');
      // The POST keeps the language the page was shown in.
      body = `${state.notice ? `<p class="error" role="alert" id="ack-notice">${escapeHtml(state.notice)}</p>` : ''}
<p>${escapeHtml(t('Acknowledging says that you are on it: escalation and repeated notifications stop. The resolved notification is still sent.'))}</p>
<form method="post" action="${escapeHtml(`${options.path}?lang=${lang}`)}" id="ack-form">
  <input type="hidden" name="confirm" value="${escapeHtml(state.confirm)}">
  <button type="submit" class="primary" id="ack-button">${escapeHtml(t('Acknowledge'))}</button>
</form>`;
      break;
    case 'acknowledged':
      head = t('Acknowledged');
      body = `<p id="ack-result" data-result="acknowledged">${escapeHtml(
        t('Acknowledged by {who} at {at}. Escalation and repeats have stopped.', { who: view.acknowledgedBy ?? '', at: w.time(view.acknowledgedAt ?? now) }),
      )}</p>`;
      break;
    case 'already':
      head = t('Already acknowledged');
      body = `<p id="ack-result" data-result="already">${escapeHtml(t('Already acknowledged by {who} at {at}.', { who: view.acknowledgedBy ?? '', at: w.time(view.acknowledgedAt ?? now) }))}</p>`;
      break;
    case 'not_firing':
      head = view.state === 'resolved' ? t('Already resolved') : view.state === 'cancelled' ? t('Cancelled') : t('Not firing yet');
      body = `<p id="ack-result" data-result="${escapeHtml(view.state)}">${escapeHtml(
        view.state === 'resolved'
          ? view.endedAt !== null
            ? t('This alert is resolved (since {at}): there is nothing to acknowledge.', { at: w.time(view.endedAt) })
            : t('This alert is resolved: there is nothing to acknowledge.')
          : view.state === 'cancelled'
            ? t('This alert was cancelled before it fired: there is nothing to acknowledge.')
            : t('This alert is pending: it has not fired yet, so there is nothing to acknowledge. Open the link again once it fires.'),
      )}</p>`;
      break;
  }
  return page(
    `${head} · complaint-radar`,
    `<main class="narrow">
${languageLinks(lang, options.path, t)}
<div class="card ack-page">
<h1>${escapeHtml(head)}</h1>
${summary(view, now, w)}
${body}
</div>
${dashboardLink(t)}
</main>`,
    { bodyClass: 'ack-page', lang },
  );
}

/** A link that is not valid (forged, expired) or names an alert that no longer exists; title and detail already in `lang`. */
export function renderAckProblem(title: string, detail: string, lang: UiLang = 'en'): string {
  const t = translator(lang);
  return page(
    `${title} · complaint-radar`,
    `<main class="narrow">
<div class="card ack-page">
<h1>${escapeHtml(title)}</h1>
<p id="ack-problem">${escapeHtml(detail)}</p>
</div>
${dashboardLink(t)}
</main>`,
    { bodyClass: 'ack-page', lang },
  );
}
