import { CausewayError, isCausewayError } from '../errors/causeway-error.js';
import { parseFilter, resolveFilter, type FilterNode } from '../query/index.js';
import { adminOnlyRules, type Collection } from '../schema/collection.js';
import { isPrivileged, type Caller } from './caller.js';
import { requestVariables } from './rule-variables.js';

/** Channels hold no records, so their rules resolve against nothing: only variables may appear. */
const noFields: Collection = { id: '', name: 'channel', type: 'base', fields: [], indexes: [], ...adminOnlyRules, created: '', updated: '' };

export type ChannelAction = 'join' | 'send';

/**
 * Who may join a realtime channel and send to it: two expressions in the rule language over
 * `@request.auth.*` and `@channel.name`, checked once at start so a typo fails loudly.
 */
export class ChannelRules {
  private readonly rules: Record<ChannelAction, FilterNode | null>;

  constructor(rules: Record<ChannelAction, string>) {
    this.rules = { join: this.check('join', rules.join), send: this.check('send', rules.send) };
  }

  allows(action: ChannelAction, caller: Caller, channel: string): boolean {
    if (isPrivileged(caller)) return true;
    const rule = this.rules[action];
    if (rule === null) return true;
    const variables = requestVariables(caller, 'view');
    const condition = resolveFilter(rule, noFields, { collection: () => undefined }, { variables: (name) => (name === 'channel.name' ? channel : variables(name)) });
    return condition.kind === 'const' && condition.value;
  }

  private check(action: ChannelAction, text: string): FilterNode | null {
    if (text.trim() === '') return null;
    try {
      const node = parseFilter(text);
      resolveFilter(node, noFields, { collection: () => undefined }, { variables: (name) => (name === 'channel.name' || name === 'request.method' || name.startsWith('request.auth.') ? null : undefined) });
      return node;
    } catch (error) {
      if (isCausewayError(error)) throw new CausewayError('INVALID_SCHEMA', `The channel ${action} rule is invalid: ${error.message}`, { cause: error });
      throw error;
    }
  }
}
