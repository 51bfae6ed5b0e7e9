// The baseline: a bare node:http server answering every request with a fixed XML body
// (the bytes Phantom returns for the benchmarked request), so only the work differs.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const [port, bodyFile] = process.argv.slice(2);
const body = readFileSync(bodyFile);
createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, {
      'Content-Type': 'text/xml',
      'Content-Length': body.length,
      'x-amzn-RequestId': '00000000-0000-0000-0000-000000000000',
    });
    res.end(body);
  });
}).listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
