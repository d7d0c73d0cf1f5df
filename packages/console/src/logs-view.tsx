import type { ListPage, RequestLogEntry as Entry } from '@causeway/wire';
import { useState } from 'preact/hooks';
import { request } from './api.js';
import { usePolling } from './use-action.js';
import { navigate } from './router.js';

const filters = [
  ['', 'All requests'],
  ['error', 'Errors (4xx and 5xx)'],
  ['5xx', 'Server errors (5xx)'],
] as const;

/** The requests this server answered lately (`GET /api/logs`), newest first, refreshed every few seconds. */
export function LogsView({ status = '' }: { status?: string | undefined }) {
  const [entries, setEntries] = useState<Entry[] | null>(null);
  const { error, reload: load } = usePolling(
    () => request<ListPage<Entry>>('GET', `/api/logs?limit=200${status ? `&status=${encodeURIComponent(status)}` : ''}`),
    (page) => setEntries(page.items),
    [status],
  );

  return (
    <section aria-labelledby="logs-title">
      <header class="toolbar">
        <h2 id="logs-title">Logs</h2>
        <label>
          Show
          <select name="status" value={status} onChange={(e) => navigate({ kind: 'logs', status: e.currentTarget.value || undefined }, true)}>
            {filters.map(([value, text]) => <option value={value}>{text}</option>)}
          </select>
        </label>
        <button type="button" class="secondary" onClick={() => void load()}>Refresh</button>
      </header>
      <p class="hint">The latest requests this instance answered (kept in memory, without query strings or bodies); the request id finds one in the server's JSON log.</p>
      {error && <p class="error" role="alert">{error}</p>}
      {entries === null ? (
        <p role="status">Loading…</p>
      ) : entries.length === 0 ? (
        <p class="empty">No requests{status ? ' of this kind' : ''} yet.</p>
      ) : (
        <div class="grid-wrap">
          <table class="grid logs">
            <thead>
              <tr><th>Time</th><th>Status</th><th>Method</th><th>Path</th><th>Duration</th><th>Request id</th></tr>
            </thead>
            <tbody>
              {entries.map((entry) => (
                <tr key={entry.requestId + entry.time} class={entry.status >= 500 ? 'failed' : entry.status >= 400 ? 'refused' : undefined}>
                  <td>{new Date(entry.time).toLocaleTimeString()}</td>
                  <td><strong>{entry.status}</strong></td>
                  <td>{entry.method}</td>
                  <td title={entry.path}>{entry.path}</td>
                  <td>{entry.durationMs} ms</td>
                  <td><code>{entry.requestId}</code></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
