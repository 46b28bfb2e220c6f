// Keeps a shared dashboard link (its #hash) across the login redirect. The form works without it.
const next = document.querySelector('input[name=next]');
if (next && location.hash && next.value === '/') next.value = `/${location.hash}`;
