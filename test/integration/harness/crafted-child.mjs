// UDP endpoint run inside a client namespace for crafted.ts: JSON lines in (datagrams to send), JSON lines out
// (datagrams received). Plain JavaScript so `ip netns exec` can start it with node and no build step.
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';

const ports = process.argv.slice(2).map(Number);
const sockets = new Map();
const out = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

let bound = 0;
for (const port of ports) {
  const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  sock.on('message', (msg, rinfo) => out({ rx: { from: rinfo.address, port: rinfo.port, localPort: port, data: msg.toString('hex') } }));
  sock.on('error', (err) => out({ error: String(err) }));
  // 0.0.0.0: a socket bound to the interface address would not see datagrams sent to 255.255.255.255.
  sock.bind(port, '0.0.0.0', () => {
    sock.setBroadcast(true);
    sockets.set(port, sock);
    if (++bound === ports.length) out({ ready: true });
  });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  let cmd;
  try {
    cmd = JSON.parse(line);
  } catch {
    out({ error: `bad command: ${line.slice(0, 80)}` });
    return;
  }
  const sock = sockets.get(cmd.fromPort ?? ports[0]);
  sock.send(Buffer.from(cmd.data, 'hex'), cmd.port, cmd.to, (err) => out(err ? { error: String(err), id: cmd.id } : { sent: cmd.id }));
});
process.stdin.on('end', () => process.exit(0));
