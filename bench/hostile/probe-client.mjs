// The hostile run's liveness prober in a namespace of its own (hostile-traffic.mjs --probe-ns NS starts it): starts
// probe N for each line "N" on stdin (after it printed "ready"); once stdin ends, waits for the outstanding ones and prints their results as
// one JSON line.
//   ip netns exec NS node probe-client.mjs --to 255.255.255.255
import dgram from 'node:dgram';
import { createInterface } from 'node:readline';
import { livenessProbes } from './liveness.mjs';
import { packetSource } from './packets.mjs';

const toIndex = process.argv.indexOf('--to');
const TO = toIndex < 0 ? '255.255.255.255' : process.argv[toIndex + 1];
const sock = dgram.createSocket({ type: 'udp4', reuseAddr: true });
const probes = livenessProbes(packetSource(1).valid, (bytes) => sock.send(bytes, 67, TO));
sock.on('message', (msg) => probes.reply(msg));
await new Promise((r) => sock.bind(68, '0.0.0.0', r));
sock.setBroadcast(true);
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (/^\d+$/.test(line.trim())) probes.start(Number(line));
}
await probes.settled();
sock.close();
process.stdout.write(`${JSON.stringify(probes.results())}\n`);
