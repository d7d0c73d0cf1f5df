// The ceiling for any Node server here: node:http answering a fixed JSON body.
import http from 'node:http';

const body = JSON.stringify({ id: '01hx0000000000000000000000', title: 'Post 1', views: 1 });
const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
