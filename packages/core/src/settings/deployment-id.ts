import { randomUUID } from 'node:crypto';
import type { SqlDatabase } from '../sql/sql-database.js';
import { sqlTemplate } from '../sql/sql-template.js';
import { settleInternalSetting } from './internal-settings.js';

/**
 * The id of the deployment a database belongs to, made by whichever instance opens it first. Instances that
 * share a database share it, so they find each other on a shared Redis without mixing with other deployments.
 */
export async function deploymentId(db: SqlDatabase): Promise<string> {
  return JSON.parse(await settleInternalSetting(db, sqlTemplate(db.dialect), 'deployment', () => JSON.stringify(randomUUID()))) as string;
}
