import { translator, UI_LANGS, type Translate, type UiLang } from './i18n.js';

/**
 * Server-rendered pages of the dashboard (shell, login) and the public report form. Every value put
 * into markup goes through `escapeHtml`; pages carry no inline script or style (strict CSP).
 */

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** CSP of the dashboard and login pages: same-origin only, no inline code, never framed. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** CSP of the report form: the same, but any site may frame it (the embeddable iframe). */
export const REPORT_CSP = DASHBOARD_CSP.replace("frame-ancestors 'none'", 'frame-ancestors *');

/** A complete page (shared stylesheet, optional same-origin scripts) for the CSP above. */
export function page(title: string, body: string, options: { bodyClass?: string; scripts?: readonly string[]; styles?: readonly string[]; lang?: UiLang } = {}): string {
  const styles = ['/static/style.css', ...(options.styles ?? [])].map((s) => `<link rel="stylesheet" href="${escapeHtml(s)}">`).join('\n');
  const scripts = (options.scripts ?? []).map((s) => (s.includes('/vendor/') ? `<script src="${escapeHtml(s)}"></script>` : `<script type="module" src="${escapeHtml(s)}"></script>`)).join('\n');
  return `<!doctype html>
<html lang="${options.lang ?? 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<title>${escapeHtml(title)}</title>
${styles}
${scripts}
</head>
<body class="${escapeHtml(options.bodyClass ?? '')}">
${body}
</body>
</html>
`;
}

/** The dashboard shell: the app builds every view from the JSON API. */
export function renderDashboardShell(): string {
  return page(
    'complaint-radar',
    `<header class="top">
  <a class="brand" href="/#/overview">complaint-radar</a>
  <nav id="nav" aria-label="Views"></nav>
  <div id="who" class="who"></div>
</header>
<main id="view" aria-live="polite"><p class="muted">Loading…</p><noscript><p>The dashboard needs JavaScript. The <a href="/report">report form</a> works without it.</p></noscript></main>
<footer class="foot"><span id="status" class="muted"></span></footer>`,
    { bodyClass: 'dash', scripts: ['/static/vendor/uPlot.iife.min.js', '/static/app.js'], styles: ['/static/vendor/uPlot.min.css'] },
  );
}

const LANGUAGE_NAMES: Readonly<Record<UiLang, string>> = { en: 'English', ru: 'Русский' };

/** Links to the same page in the other languages (`?lang=`: a GET that changes nothing but the text). */
export function languageLinks(lang: UiLang, path: string, t: Translate, extra: Record<string, string> = {}): string {
  const links = UI_LANGS.filter((l) => l !== lang).map((l) => {
    const query = new URLSearchParams({ ...extra, lang: l }).toString();
    return `<a href="${escapeHtml(`${path}?${query}`)}" hreflang="${l}" lang="${l}">${escapeHtml(LANGUAGE_NAMES[l])}</a>`;
  });
  return `<nav class="langs muted" aria-label="${escapeHtml(t('Language'))}">${links.join(' ')}</nav>`;
}

/** A plain HTML login form posting to `/api/session` (works without JavaScript). */
export function renderLoginPage(options: { error: boolean; next: string; lang?: UiLang }): string {
  const lang = options.lang ?? 'en';
  const t = translator(lang);
  return page(
    `${t('Log in')} · complaint-radar`,
    `<main class="narrow">
${languageLinks(lang, '/login', t, options.next === '/' ? {} : { next: options.next })}
<h1>complaint-radar</h1>
<form class="card login" method="post" action="/api/session">
  ${options.error ? `<p class="error" role="alert">${escapeHtml(t('Wrong name or password.'))}</p>` : ''}
  <label>${escapeHtml(t('Name'))} <input name="name" autocomplete="username" required maxlength="200" autofocus></label>
  <label>${escapeHtml(t('Password'))} <input name="password" type="password" autocomplete="current-password" required maxlength="1000"></label>
  <input type="hidden" name="next" value="${escapeHtml(options.next)}">
  <button type="submit">${escapeHtml(t('Log in'))}</button>
</form>
<p class="muted">${escapeHtml(t('Beta tester?'))} <a href="/report${lang === 'en' ? '' : `?lang=${lang}`}">${escapeHtml(t('Report a problem'))}</a> — ${escapeHtml(t('no login needed.'))}</p>
</main>`,
    { bodyClass: 'login-page', scripts: ['/static/login.js'], lang },
  );
}

export interface ReportFormValues {
  readonly doing: string;
  readonly wrong: string;
  readonly expected: string;
  readonly contact: string;
}

export const REPORT_FIELDS: ReadonlyArray<{ readonly name: keyof ReportFormValues; readonly label: string; readonly hint: string; readonly max: number; readonly multiline: boolean; readonly required: boolean }> = [
  { name: 'doing', label: 'What were you doing?', hint: 'e.g. “paying for an order from my phone”', max: 2000, multiline: true, required: false },
  { name: 'wrong', label: 'What went wrong?', hint: 'What you saw: an error, a wrong number, nothing happening…', max: 4000, multiline: true, required: true },
  { name: 'expected', label: 'How should it have worked?', hint: 'What you expected instead', max: 2000, multiline: true, required: false },
  { name: 'contact', label: 'Contact (optional)', hint: 'E-mail or Telegram, if you want us to get back to you', max: 200, multiline: false, required: false },
];

/** The report form; `errors` maps a field to what to fix (already human text), `values` refills it. */
export function renderReportForm(options: {
  token: string;
  embed: boolean;
  values?: Partial<ReportFormValues>;
  errors?: Readonly<Record<string, string>>;
  notice?: string;
  lang?: UiLang;
}): string {
  const lang = options.lang ?? 'en';
  const t = translator(lang);
  const errors = options.errors ?? {};
  const fields = REPORT_FIELDS.map((f) => {
    const value = options.values?.[f.name] ?? '';
    const error = errors[f.name];
    const id = `f-${f.name}`;
    const attrs = `id="${id}" name="${f.name}" maxlength="${f.max}"${f.required ? ' required minlength="3"' : ''}${error ? ` aria-invalid="true" aria-describedby="${id}-err"` : ''}`;
    const input = f.multiline ? `<textarea ${attrs} rows="4">${escapeHtml(value)}</textarea>` : `<input ${attrs} value="${escapeHtml(value)}" autocomplete="email">`;
    return `<div class="field${error ? ' invalid' : ''}">
  <label for="${id}">${escapeHtml(t(f.label))}${f.required ? ' <span class="req">*</span>' : ''}</label>
  <small class="muted">${escapeHtml(t(f.hint))}</small>
  ${input}
  ${error ? `<p class="error" id="${id}-err" data-field="${f.name}">${escapeHtml(t(error))}</p>` : ''}
</div>`;
  }).join('\n');
  const summary = Object.keys(errors).length > 0 ? `<p class="error" role="alert" id="report-errors">${escapeHtml(t('Please fix the marked fields.'))}</p>` : '';
  const notice = options.notice ? `<p class="error" role="alert" id="report-notice">${escapeHtml(t(options.notice))}</p>` : '';
  // What report.js says after a fetch, in the page's language (data attributes: no inline script).
  const said = (name: string, text: string) => `data-say-${name}="${escapeHtml(t(text))}"`;
  const strings = [
    said('thanks', 'Thank you, received.'),
    said('reference', 'Reference:'),
    said('expired', 'The form expired. Reload the page and send it again.'),
    said('fix', 'Please fix the marked field.'),
    said('offline', 'Could not send: check your connection and try again.'),
    said('failed', 'Something went wrong.'),
  ].join(' ');
  return page(
    t('Report a problem'),
    `<main class="narrow">
${options.embed ? '' : languageLinks(lang, '/report', t)}
<h1>${escapeHtml(t('Report a problem'))}</h1>
<p class="muted">${escapeHtml(t('Tell us what happened. We read every report.'))}</p>
<form class="card report" id="report-form" method="post" action="/api/reports${lang === 'en' ? '' : `?lang=${lang}`}" novalidate ${strings}>
${notice}${summary}
${fields}
<div class="hp" aria-hidden="true"><label>Leave this empty <input name="website" tabindex="-1" autocomplete="off"></label></div>
<input type="hidden" name="_csrf" value="${escapeHtml(options.token)}">
${options.embed ? '<input type="hidden" name="embed" value="1">' : ''}
<button type="submit">${escapeHtml(t('Send report'))}</button>
<div id="report-result" role="status" aria-live="polite"></div>
</form>
</main>`,
    { bodyClass: options.embed ? 'report-page embed' : 'report-page', scripts: ['/static/report.js'], lang },
  );
}

export function renderReportThanks(options: { embed: boolean; id: string | null; lang?: UiLang }): string {
  const lang = options.lang ?? 'en';
  const t = translator(lang);
  const again = new URLSearchParams({ ...(options.embed ? { embed: '1' } : {}), ...(lang === 'en' ? {} : { lang }) }).toString();
  return page(
    t('Thank you · report received'),
    `<main class="narrow">
<div class="card thanks" id="report-thanks" role="status">
<h1>${escapeHtml(t('Thank you, received.'))}</h1>
<p>${escapeHtml(t('Your report reached the team.'))}${options.id ? ` ${escapeHtml(t('Reference:'))} <code>${escapeHtml(options.id)}</code>` : ''}</p>
<p><a href="${escapeHtml(`/report${again ? `?${again}` : ''}`)}">${escapeHtml(t('Report another problem'))}</a></p>
</div>
</main>`,
    { bodyClass: options.embed ? 'report-page embed' : 'report-page', lang },
  );
}
