// Subscriber process for bench/realtime.mjs: opens N WebSocket connections, subscribes each (Causeway) or just
// listens (bare ws), and records when each event arrives. Driven over IPC by the parent.
import WebSocket from 'ws';

const sockets = [];
let arrivals = []; // [n, time] pairs, flat
const numberOf = /"n":(\d+)/;
const sentAtOf = /"sentAt":([\d.]+)/;
let sentAts = new Map();
let expected = 0;
let received = 0;
/** Connections the server closed as too slow (4008): what they missed is not counted as delivered. */
let tooSlow = 0;

function open(url, subscribe) {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on('error', reject);
    socket.on('close', (code) => {
      if (code === 4008) tooSlow++;
    });
    socket.on('message', (data) => {
      const text = data.toString();
      if (text.startsWith('{"type":"event"')) {
        const now = performance.timeOrigin + performance.now();
        const n = Number(numberOf.exec(text)?.[1]);
        arrivals.push(n, now);
        const sentAt = sentAtOf.exec(text);
        if (sentAt && !sentAts.has(n)) sentAts.set(n, Number(sentAt[1]));
        if (++received === expected) process.send({ type: 'all-received' });
      } else if (text.startsWith('{"type":"subscribed"')) resolve(socket);
      else if (text.startsWith('{"type":"welcome"') && subscribe) socket.send(JSON.stringify({ type: 'subscribe', sub: 's', kind: 'collection', collection: subscribe }));
      else if (text.startsWith('{"type":"error"')) reject(new Error(text));
    });
    if (!subscribe) socket.on('open', () => resolve(socket));
  });
}

process.on('message', async (message) => {
  if (message.type === 'open') {
    for (let i = 0; i < message.count; i += 200) {
      const batch = Array.from({ length: Math.min(200, message.count - i) }, () => open(message.url, message.collection));
      sockets.push(...(await Promise.all(batch)));
    }
    process.send({ type: 'opened', count: sockets.length });
  } else if (message.type === 'expect') {
    expected = message.deliveries;
    received = 0;
    arrivals = [];
    sentAts = new Map();
  } else if (message.type === 'latencies') {
    // Ack (Causeway) or broadcast (bare ws) time per n, against each arrival.
    const from = message.from ? new Map(message.from) : sentAts;
    const latencies = [];
    for (let i = 0; i < arrivals.length; i += 2) {
      const start = from.get(arrivals[i]);
      if (start !== undefined) latencies.push(arrivals[i + 1] - start);
    }
    latencies.sort((a, b) => a - b);
    const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN;
    process.send({ type: 'latencies', count: latencies.length, received, tooSlow, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) });
  } else if (message.type === 'close') {
    for (const socket of sockets) socket.terminate();
    process.exit(0);
  }
});
process.send({ type: 'ready' });
