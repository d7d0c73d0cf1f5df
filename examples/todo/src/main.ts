import { createClient, type CausewayError } from '@causeway/client';
import type { Schema } from './schema.js';

type Todo = Schema['todos']['record'];

// The Causeway to talk to: `?api=` when given (tests), else the server the example script starts.
const api = new URLSearchParams(location.search).get('api') ?? 'http://127.0.0.1:8090';
const client = createClient<Schema>(api);
const todos = client.collection('todos');

const list = document.querySelector<HTMLUListElement>('#todos')!;
const status = document.querySelector<HTMLParagraphElement>('#status')!;
const form = document.querySelector<HTMLFormElement>('#add')!;
const input = document.querySelector<HTMLInputElement>('#title')!;

function show(items: readonly Todo[]): void {
  list.replaceChildren(
    ...items.map((todo) => {
      const item = document.createElement('li');
      item.className = todo.done ? 'done' : '';
      item.dataset.id = todo.id;
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = todo.done === true;
      box.setAttribute('aria-label', `Done: ${todo.title}`);
      box.addEventListener('change', () => void todos.update(todo.id, { done: box.checked }).catch(report));
      const text = document.createElement('span');
      text.textContent = todo.title;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.textContent = 'Delete';
      remove.setAttribute('aria-label', `Delete ${todo.title}`);
      remove.addEventListener('click', () => void todos.delete(todo.id).catch(report));
      item.append(box, text, remove);
      return item;
    }),
  );
  status.textContent = items.length === 0 ? 'Nothing to do.' : `${items.length} todo${items.length === 1 ? '' : 's'}`;
}

function report(error: CausewayError | Error): void {
  status.textContent = error.message;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  const title = input.value.trim();
  if (!title) return;
  input.value = '';
  void todos.create({ title }).catch(report);
});

// A live query: the list equals `list({ sort: 'created', limit: 100 })` after every change, from any tab.
client.realtime.liveQuery('todos', { sort: 'created', limit: 100 }, show, report);
