// The realtime ceiling: a bare `ws` server that broadcasts what the parent process tells it to every client.
// The parent sends { n, at } over IPC; each client receives a message shaped like a Causeway event, whose
// `sentAt` is `at`, when the parent asked (as Causeway's latency counts from when the write was sent), so a
// broadcast process that falls behind its IPC queue shows it in its latency too.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
const record = { id: '01hx0000000000000000000000', created: '2026-11-25T00:00:00.000Z', updated: '2026-11-25T00:00:00.000Z', title: 'tick' };
process.on('message', ({ n, at }) => {
  const sentAt = at ?? performance.timeOrigin + performance.now();
  const message = JSON.stringify({ type: 'event', sub: 's', seq: n, op: 'insert', record: { ...record, n, sentAt } });
  for (const client of wss.clients) client.send(message);
});
wss.on('listening', () => process.send({ port: wss.address().port }));
