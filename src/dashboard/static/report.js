// Progressive enhancement of the report form: send with fetch and show the result in place. Without
// JavaScript the same form posts normally and the server answers with a page.
const form = document.getElementById('report-form');
const result = document.getElementById('report-result');
// The page's language: the server put what to say into data attributes (`data-say-thanks`, …).
const say = (name, fallback) => form?.dataset[`say${name[0].toUpperCase()}${name.slice(1)}`] ?? fallback;

function setFieldError(name, text) {
  const field = form.elements.namedItem(name);
  const wrap = field?.closest?.('.field');
  if (!wrap) return false;
  wrap.classList.add('invalid');
  field.setAttribute('aria-invalid', 'true');
  const p = document.createElement('p');
  p.className = 'error js-error';
  p.dataset.field = name;
  p.textContent = text;
  wrap.appendChild(p);
  return true;
}

function clearErrors() {
  for (const el of form.querySelectorAll('.js-error, .field > p.error, #report-errors, #report-notice')) el.remove();
  for (const el of form.querySelectorAll('.field.invalid')) el.classList.remove('invalid');
  for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
  result.textContent = '';
  result.className = '';
}

if (form && result && window.fetch) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors();
    const data = Object.fromEntries(new FormData(form).entries());
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const res = await fetch(form.action, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': String(data._csrf ?? '') },
        body: JSON.stringify({ doing: data.doing, wrong: data.wrong, expected: data.expected, contact: data.contact, website: data.website }),
        credentials: 'omit',
      });
      const body = await res.json().catch(() => ({}));
      if (res.ok) {
        for (const name of ['doing', 'wrong', 'expected', 'contact']) form.elements.namedItem(name).value = '';
        result.className = 'ok';
        result.textContent = `${say('thanks', 'Thank you, received.')} `;
        const ref = document.createElement('code');
        ref.textContent = body.id ?? '';
        result.append(`${say('reference', 'Reference:')} `, ref);
        return;
      }
      const field = typeof body.field === 'string' ? body.field.replace(/^body\./, '') : null;
      const text = String(body.message ?? say('failed', 'Something went wrong.')).replace(/^body\.\w+: /, '');
      if (!(field && setFieldError(field, text))) {
        result.className = 'error';
        result.textContent = res.status === 403 ? say('expired', 'The form expired. Reload the page and send it again.') : text;
      } else {
        result.className = 'error';
        result.textContent = say('fix', 'Please fix the marked field.');
      }
    } catch {
      result.className = 'error';
      result.textContent = say('offline', 'Could not send: check your connection and try again.');
    } finally {
      button.disabled = false;
    }
  });
}
