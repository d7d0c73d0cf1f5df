import type { ExtensionsOverview, JobRunEntry } from '@causeway/wire';
import { useState } from 'preact/hooks';
import { message, request } from './api.js';
import { usePolling } from './use-action.js';

const time = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

function outcome(run: JobRunEntry): string {
  if (run.ok === null) return run.finished === null ? 'running' : '—';
  return run.ok ? 'ok' : 'failed';
}

/**
 * What the server's extensions registered (`GET /api/extensions`): loaded hooks, custom routes, scheduled jobs with
 * their next run and a "Run now", the jobs' recent runs and the recent failures of hooks and jobs.
 */
export function ExtensionsView() {
  const [overview, setOverview] = useState<ExtensionsOverview | null>(null);
  const [notice, setNotice] = useState('');
  const { error, setError, reload: load } = usePolling(() => request<ExtensionsOverview>('GET', '/api/extensions'), setOverview);

  const runNow = async (name: string) => {
    setNotice(`Running ${name}…`);
    try {
      const run = await request<JobRunEntry>('POST', `/api/extensions/jobs/${encodeURIComponent(name)}/run`);
      setNotice(run.ok ? `${name} ran successfully.` : `${name} failed: ${run.error ?? 'no message'}`);
    } catch (caught) {
      setNotice('');
      setError(message(caught));
    }
    void load();
  };

  const failures = overview ? [...overview.errors.hooks.map((e) => ({ at: e.at, what: `${e.kind} hook on ${e.collection}`, message: e.message })), ...overview.errors.jobs.map((r) => ({ at: r.started, what: `job ${r.job}`, message: r.error ?? '' }))].sort((a, b) => b.at.localeCompare(a.at)) : [];

  return (
    <section aria-labelledby="extensions-title">
      <header class="toolbar">
        <h2 id="extensions-title">Extensions</h2>
        <button type="button" class="secondary" onClick={() => void load()}>Refresh</button>
      </header>
      <p class="hint">Hooks, custom routes and scheduled jobs registered by the server's extensions (see docs/extending.md). Job runs are kept for every instance.</p>
      {error && <p class="error" role="alert">{error}</p>}
      {notice && <p role="status">{notice}</p>}
      {overview === null ? (
        <p role="status">Loading…</p>
      ) : (
        <>
          <h3>Hooks</h3>
          {overview.hooks.length === 0 ? (
            <p class="empty">No hooks loaded.</p>
          ) : (
            <table class="grid" aria-label="Hooks">
              <thead><tr><th>Hook</th><th>Collection</th><th>Source</th></tr></thead>
              <tbody>{overview.hooks.map((h) => <tr key={`${h.kind}/${h.collection}/${h.source ?? ''}`}><td>{h.kind}</td><td>{h.collection}</td><td>{h.source ?? '—'}</td></tr>)}</tbody>
            </table>
          )}
          <h3>Routes</h3>
          {overview.routes.length === 0 ? (
            <p class="empty">No custom routes.</p>
          ) : (
            <table class="grid" aria-label="Routes">
              <thead><tr><th>Method</th><th>Path</th><th>Who may call</th><th>Summary</th></tr></thead>
              <tbody>{overview.routes.map((r) => <tr key={`${r.method} ${r.path}`}><td>{r.method}</td><td><code>{r.path}</code></td><td>{r.auth}</td><td>{r.summary ?? ''}</td></tr>)}</tbody>
            </table>
          )}
          <h3>Jobs</h3>
          {overview.jobs.length === 0 ? (
            <p class="empty">No scheduled jobs.</p>
          ) : (
            <table class="grid" aria-label="Jobs">
              <thead><tr><th>Job</th><th>Schedule (UTC)</th><th>Next run</th><th></th></tr></thead>
              <tbody>
                {overview.jobs.map((j) => (
                  <tr key={j.name}>
                    <td>{j.name}</td>
                    <td><code>{j.pattern}</code></td>
                    <td>{j.running ? 'running now' : time(j.nextRun)}</td>
                    <td><button type="button" class="secondary" disabled={j.running} onClick={() => void runNow(j.name)} aria-label={`Run ${j.name} now`}>Run now</button></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Recent runs</h3>
          {overview.runs.length === 0 ? (
            <p class="empty">No job has run yet.</p>
          ) : (
            <table class="grid" aria-label="Recent runs">
              <thead><tr><th>Job</th><th>Scheduled</th><th>Started</th><th>Finished</th><th>Outcome</th><th>Instance</th></tr></thead>
              <tbody>
                {overview.runs.map((r) => (
                  <tr key={`${r.job}/${r.scheduledAt}`} class={r.ok === false ? 'failed' : undefined}>
                    <td>{r.job}</td><td>{time(r.scheduledAt)}</td><td>{time(r.started)}</td><td>{time(r.finished)}</td><td>{outcome(r)}</td><td><code>{r.instance}</code></td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h3>Recent errors</h3>
          {failures.length === 0 ? (
            <p class="empty">No hook or job has failed lately.</p>
          ) : (
            <table class="grid" aria-label="Recent errors">
              <thead><tr><th>When</th><th>What</th><th>Error</th></tr></thead>
              <tbody>{failures.map((f) => <tr key={`${f.at}/${f.what}`} class="failed"><td>{time(f.at)}</td><td>{f.what}</td><td>{f.message}</td></tr>)}</tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
