// The realtime ceiling: a bare `ws` server that broadcasts what the parent process tells it to every client.
// The parent sends { n } over IPC; each client receives a message shaped like a Causeway event.
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
const record = { id: '01hx0000000000000000000000', created: '2026-11-25T00:00:00.000Z', updated: '2026-11-25T00:00:00.000Z', title: 'tick' };
process.on('message', ({ n }) => {
  const sentAt = performance.timeOrigin + performance.now();
  const message = JSON.stringify({ type: 'event', sub: 's', seq: n, op: 'insert', record: { ...record, n, sentAt } });
  for (const client of wss.clients) client.send(message);
});
wss.on('listening', () => process.send({ port: wss.address().port }));
