/**
 * The stylesheet and script of the account pages, served as files so the pages' content security policy can
 * forbid inline code. The script talks to the public auth API only, like any app would.
 */
export const accountPageStyle = `
:root { color-scheme: light dark; --accent: #2f5bd3; --error: #b3261e; --ok: #1e7b34; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: grid; place-items: center; background: Canvas; color: CanvasText; padding: 1rem; }
main { width: 100%; max-width: 26rem; border: 1px solid color-mix(in srgb, CanvasText 20%, transparent); border-radius: 0.75rem; padding: 1.5rem; }
h1 { font-size: 1.4rem; margin: 0 0 0.75rem; }
p { line-height: 1.5; }
label { display: block; font-weight: 600; margin: 1rem 0 0.25rem; }
input { width: 100%; font: inherit; padding: 0.6rem; border: 1px solid color-mix(in srgb, CanvasText 40%, transparent); border-radius: 0.4rem; background: Field; color: FieldText; }
input:focus-visible, button:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.hint { font-size: 0.9rem; margin: 0.25rem 0 0; opacity: 0.8; }
button { margin-top: 1.25rem; width: 100%; font: inherit; font-weight: 600; padding: 0.7rem; border: 0; border-radius: 0.4rem; background: var(--accent); color: white; cursor: pointer; }
button:disabled { opacity: 0.6; cursor: progress; }
#status:empty { display: none; }
#status { margin-top: 1rem; padding: 0.75rem; border-radius: 0.4rem; }
#status.error { color: var(--error); border: 1px solid var(--error); }
#status.ok { color: var(--ok); border: 1px solid var(--ok); }
`;

export const accountPageScript = `
(() => {
  const form = document.getElementById('account-form');
  const status = document.getElementById('status');
  const strings = JSON.parse(document.getElementById('strings').textContent);
  if (!form) return;
  const { kind, collection, token } = form.dataset;
  // The token is in the form now: out of the address bar, the history and anything that reads them.
  history.replaceState(null, '', location.pathname);
  const base = collection === '_admins' ? '/api/admins/auth/' : '/api/collections/' + encodeURIComponent(collection) + '/auth/';
  const say = (text, tone) => { status.textContent = text; status.className = tone; };
  const passwordProblems = { too_short: strings.tooShort, too_long: strings.tooLong, common_password: strings.tooCommon };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { token };
    if (kind === 'reset') {
      const password = form.elements.password.value;
      if (password !== form.elements.confirm.value) {
        say(strings.mismatch, 'error');
        form.elements.confirm.setAttribute('aria-invalid', 'true');
        form.elements.confirm.focus();
        return;
      }
      form.elements.confirm.removeAttribute('aria-invalid');
      body.password = password;
    }
    const button = form.querySelector('button');
    button.disabled = true;
    say(strings.working, '');
    try {
      const response = await fetch(base + (kind === 'reset' ? 'confirm-password-reset' : 'confirm-verification'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (response.ok) {
        form.hidden = true;
        say(kind === 'reset' ? strings.resetDone : strings.verifyDone, 'ok');
        return;
      }
      const problem = await response.json().catch(() => ({}));
      const field = problem.errors && problem.errors.password;
      if (response.status === 422 && field) {
        say(passwordProblems[field.code] || field.message, 'error');
        form.elements.password.setAttribute('aria-invalid', 'true');
        form.elements.password.focus();
      } else {
        say(response.status === 401 ? strings.expired : response.status === 429 ? strings.tooMany : strings.failed, 'error');
      }
    } catch {
      say(strings.failed, 'error');
    }
    button.disabled = false;
  });
})();
`;
