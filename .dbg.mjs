import { clientMessage } from './packages/server/dist/realtime/protocol.js';
console.log(clientMessage.safeParse({ type: 'auth', token: 'x' }));
console.log(clientMessage.safeParse({ type: 'nope' }).success);
