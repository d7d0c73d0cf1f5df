import { accountPageLanguages, type AccountPageStrings } from './account-page-strings.js';

export type AccountPageKind = 'verify' | 'reset';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON inside a `<script type="application/json">`: no `<` may end the element early. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

function formFields(kind: AccountPageKind, t: AccountPageStrings): string {
  if (kind === 'verify') return `<button type="submit">${escapeHtml(t.verifySubmit)}</button>`;
  return `<label for="password">${escapeHtml(t.newPassword)}</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" maxlength="256" aria-describedby="password-hint">
<p id="password-hint" class="hint">${escapeHtml(t.passwordHint)}</p>
<label for="confirm">${escapeHtml(t.confirmPassword)}</label>
<input id="confirm" name="confirm" type="password" autocomplete="new-password" required maxlength="256">
<button type="submit">${escapeHtml(t.resetSubmit)}</button>`;
}

/**
 * The page a mailed link opens: a heading, one sentence, and a form the script sends to the auth API. Nothing
 * happens on load: mail scanners follow links, and only a person's press confirms an address or sets a password.
 */
export function accountPage(kind: AccountPageKind, language: string, collection: string | undefined, token: string | undefined): string {
  const t = accountPageLanguages[language] ?? accountPageLanguages.en!;
  const title = kind === 'verify' ? t.verifyTitle : t.resetTitle;
  const complete = collection !== undefined && collection !== '' && token !== undefined && token !== '';
  const body = complete
    ? `<p>${escapeHtml(kind === 'verify' ? t.verifyIntro : t.resetIntro)}</p>
<form id="account-form" data-kind="${kind}" data-collection="${escapeHtml(collection)}" data-token="${escapeHtml(token)}" novalidate>
${formFields(kind, t)}
</form>`
    : '';
  return `<!doctype html>
<html lang="${escapeHtml(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/auth/assets/account-page.css">
</head>
<body>
<main aria-labelledby="title">
<h1 id="title">${escapeHtml(title)}</h1>
${body}
<p id="status" role="status" aria-live="polite"${complete ? '' : ' class="error"'}>${complete ? '' : escapeHtml(t.missingToken)}</p>
</main>
<script type="application/json" id="strings">${scriptJson(t)}</script>
<script src="/auth/assets/account-page.js" defer></script>
</body>
</html>`;
}
