import { useEffect, useState } from 'preact/hooks';
import { fieldErrors, message } from './api.js';

/**
 * A form's actions: each runs, then `reload` shows what it changed; a failure becomes the form's note and its
 * per-field messages (problem+json `errors`).
 */
export function useAction(reload: () => Promise<unknown>) {
  const [note, setNote] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const act = async (work: () => Promise<unknown>) => {
    setNote('');
    setErrors({});
    try {
      await work();
      await reload();
    } catch (error) {
      setNote(message(error));
      setErrors(fieldErrors(error));
    }
  };
  return { act, note, setNote, errors };
}

/** Fetches with `load` now and every five seconds while shown (again from the start when `deps` change); the last failure, if any. */
export function usePolling<T>(load: () => Promise<T>, onLoad: (value: T) => void, deps: readonly unknown[] = []): { error: string; setError: (error: string) => void; reload: () => Promise<void> } {
  const [error, setError] = useState('');
  const reload = () =>
    load().then(
      (value) => {
        onLoad(value);
        setError('');
      },
      (caught: unknown) => setError(message(caught)),
    );
  useEffect(() => {
    void reload();
    const timer = setInterval(() => void reload(), 5000);
    return () => clearInterval(timer);
  }, deps);
  return { error, setError, reload };
}
