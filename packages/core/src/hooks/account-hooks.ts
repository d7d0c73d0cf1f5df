import type { AccountMailKind } from '../auth/account-mail.js';
import type { MailMessage } from '../auth/mailer.js';
import type { CausewayRecord } from '../records/record.js';
import type { Caller } from '../rules/caller.js';
import { runHook } from './run-hook.js';

/** A sign-up before it is checked and written: change `data` in place (not the password, which hooks never see), or throw to refuse. */
export interface SignUpEvent<Data = Record<string, unknown>> {
  collection: string;
  /** The sign-up's fields and its `email`. */
  data: Data;
  caller: Caller;
}

/** A sign-in whose credentials (and second factor) were right, before its session is issued: throw to refuse it. */
export interface SignInEvent<Rec = CausewayRecord> {
  collection: string;
  /** The account, hidden fields included (never its password hash). */
  record: Rec;
}

/** An account mail about to be sent: change `message` (subject, text, html) in place, or throw to send nothing. */
export interface MailEvent {
  kind: AccountMailKind;
  collection: string;
  message: MailMessage;
}

export type AccountHookRegistration =
  | { kind: 'beforeSignUp'; collection: string; run: (event: SignUpEvent) => void | Promise<void>; source: string }
  | { kind: 'afterSignIn'; collection: string; run: (event: SignInEvent) => void | Promise<void>; source: string }
  | { kind: 'beforeMail'; run: (event: MailEvent) => void | Promise<void>; source: string };

/** The account hooks in force; replaced whole on reload. A `collection` of `'*'` means every auth collection (never admins). */
export class AccountHooks {
  private registrations: readonly AccountHookRegistration[] = [];

  replace(registrations: readonly AccountHookRegistration[]): void {
    this.registrations = registrations;
  }

  async beforeSignUp(event: SignUpEvent): Promise<void> {
    for (const hook of this.registrations) {
      if (hook.kind === 'beforeSignUp' && matches(hook.collection, event.collection)) await runHook(hook, event);
    }
  }

  async afterSignIn(event: SignInEvent): Promise<void> {
    for (const hook of this.registrations) {
      if (hook.kind === 'afterSignIn' && matches(hook.collection, event.collection)) await runHook(hook, event);
    }
  }

  async beforeMail(event: MailEvent): Promise<void> {
    for (const hook of this.registrations) if (hook.kind === 'beforeMail') await runHook(hook, event);
  }
}

function matches(registered: string, collection: string): boolean {
  return registered === collection || registered === '*';
}
