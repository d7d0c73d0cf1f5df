/** Every text the account pages show, per language: add a language by adding an entry with every key. */
export interface AccountPageStrings {
  verifyTitle: string;
  verifyIntro: string;
  verifySubmit: string;
  verifyDone: string;
  resetTitle: string;
  resetIntro: string;
  newPassword: string;
  passwordHint: string;
  confirmPassword: string;
  resetSubmit: string;
  resetDone: string;
  mismatch: string;
  missingToken: string;
  expired: string;
  tooMany: string;
  failed: string;
  working: string;
  /** Password problems by the server's field code (docs/auth.md, password rules). */
  tooShort: string;
  tooLong: string;
  tooCommon: string;
}

const en: AccountPageStrings = {
  verifyTitle: 'Confirm your email address',
  verifyIntro: 'Press the button to confirm that this address is yours.',
  verifySubmit: 'Confirm my email address',
  verifyDone: 'Thank you: your email address is confirmed. You can close this page.',
  resetTitle: 'Choose a new password',
  resetIntro: 'Enter a new password for your account. Every device signed in to it will be signed out.',
  newPassword: 'New password',
  passwordHint: 'At least 8 characters; a long phrase is best.',
  confirmPassword: 'Repeat the new password',
  resetSubmit: 'Set the new password',
  resetDone: 'Your password has been changed. You can now sign in with it.',
  mismatch: 'The two passwords differ.',
  missingToken: 'This link is incomplete. Open the link from the mail again, or ask for a new mail.',
  expired: 'This link is invalid, was already used, or has expired. Ask for a new mail.',
  tooMany: 'Too many attempts. Wait a moment and try again.',
  failed: 'Something went wrong. Try again in a moment.',
  working: 'One moment…',
  tooShort: 'The password is too short: use at least 8 characters.',
  tooLong: 'The password is too long: use at most 256 characters.',
  tooCommon: 'This password is too common or too easy to guess; choose another.',
};

const de: AccountPageStrings = {
  verifyTitle: 'E-Mail-Adresse bestätigen',
  verifyIntro: 'Drücken Sie die Schaltfläche, um zu bestätigen, dass diese Adresse Ihnen gehört.',
  verifySubmit: 'E-Mail-Adresse bestätigen',
  verifyDone: 'Danke: Ihre E-Mail-Adresse ist bestätigt. Sie können diese Seite schließen.',
  resetTitle: 'Neues Passwort wählen',
  resetIntro: 'Geben Sie ein neues Passwort für Ihr Konto ein. Alle angemeldeten Geräte werden abgemeldet.',
  newPassword: 'Neues Passwort',
  passwordHint: 'Mindestens 8 Zeichen; ein langer Satz ist am besten.',
  confirmPassword: 'Neues Passwort wiederholen',
  resetSubmit: 'Neues Passwort speichern',
  resetDone: 'Ihr Passwort wurde geändert. Sie können sich jetzt damit anmelden.',
  mismatch: 'Die beiden Passwörter stimmen nicht überein.',
  missingToken: 'Dieser Link ist unvollständig. Öffnen Sie den Link aus der E-Mail erneut oder fordern Sie eine neue E-Mail an.',
  expired: 'Dieser Link ist ungültig, wurde schon benutzt oder ist abgelaufen. Fordern Sie eine neue E-Mail an.',
  tooMany: 'Zu viele Versuche. Warten Sie einen Moment und versuchen Sie es erneut.',
  failed: 'Etwas ist schiefgegangen. Versuchen Sie es gleich noch einmal.',
  working: 'Einen Moment…',
  tooShort: 'Das Passwort ist zu kurz: mindestens 8 Zeichen.',
  tooLong: 'Das Passwort ist zu lang: höchstens 256 Zeichen.',
  tooCommon: 'Dieses Passwort ist zu verbreitet oder zu leicht zu erraten; wählen Sie ein anderes.',
};

const fr: AccountPageStrings = {
  verifyTitle: 'Confirmez votre adresse e-mail',
  verifyIntro: 'Appuyez sur le bouton pour confirmer que cette adresse est la vôtre.',
  verifySubmit: 'Confirmer mon adresse e-mail',
  verifyDone: 'Merci : votre adresse e-mail est confirmée. Vous pouvez fermer cette page.',
  resetTitle: 'Choisissez un nouveau mot de passe',
  resetIntro: 'Saisissez un nouveau mot de passe pour votre compte. Tous les appareils connectés seront déconnectés.',
  newPassword: 'Nouveau mot de passe',
  passwordHint: 'Au moins 8 caractères ; une longue phrase est idéale.',
  confirmPassword: 'Répétez le nouveau mot de passe',
  resetSubmit: 'Enregistrer le mot de passe',
  resetDone: 'Votre mot de passe a été changé. Vous pouvez maintenant vous connecter avec.',
  mismatch: 'Les deux mots de passe diffèrent.',
  missingToken: 'Ce lien est incomplet. Rouvrez le lien de l’e-mail ou demandez un nouvel e-mail.',
  expired: 'Ce lien est invalide, déjà utilisé ou expiré. Demandez un nouvel e-mail.',
  tooMany: 'Trop de tentatives. Patientez un instant puis réessayez.',
  failed: 'Une erreur est survenue. Réessayez dans un instant.',
  working: 'Un instant…',
  tooShort: 'Le mot de passe est trop court : au moins 8 caractères.',
  tooLong: 'Le mot de passe est trop long : au plus 256 caractères.',
  tooCommon: 'Ce mot de passe est trop courant ou trop facile à deviner ; choisissez-en un autre.',
};

export const accountPageLanguages: Readonly<Record<string, AccountPageStrings>> = { en, de, fr };

/**
 * The language of a page: `?lang=` when it names one Causeway has, else the first of the browser's
 * `Accept-Language` it has (by primary tag, in the browser's order of preference), else English.
 */
export function pageLanguage(requested: string | undefined, acceptLanguage: string | undefined): string {
  if (requested && Object.hasOwn(accountPageLanguages, requested)) return requested;
  const preferred = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { primary: tag.trim().toLowerCase().split('-')[0] ?? '', q: Number.isFinite(q) ? q : 0, index };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return preferred.find((entry) => Object.hasOwn(accountPageLanguages, entry.primary))?.primary ?? 'en';
}
