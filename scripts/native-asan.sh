#!/usr/bin/env bash
# Sanitizer check of the native transport addon (native/*.c): builds it with AddressSanitizer + UBSan
# (-Wall -Wextra -Werror) and drives every entry point — socket churn with traffic, close from inside the receive
# callback, handles dropped without close (finalizer path), sockets left open at exit (env teardown hook), errno
# paths, wrong argument types — then (with --valgrind) runs the same stress under valgrind's memcheck, reporting
# only leaks and errors whose stack passes through the addon (Node and V8 keep plenty of memory until exit).
# Traffic stays on the loopback of a throw-away network namespace (needs root); without root it is skipped.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d /tmp/adn-asan-XXXXXX)"
NS="adn-asan-$$"
cleanup() { ip netns del "$NS" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT INT TERM

[[ "$(id -u)" == 0 ]] || { echo "native-asan: needs root for a private network namespace; skipped" >&2; exit 0; }
NODE_INCLUDE="$(dirname "$(dirname "$(command -v node)")")/include/node"
[[ -f "$NODE_INCLUDE/node_api.h" ]] || NODE_INCLUDE=/usr/include/node

compile() { # $1 output, rest: extra flags
  local out="$1"; shift
  gcc -shared -fPIC -g -O1 -fno-omit-frame-pointer -std=gnu11 -Wall -Wextra -Werror "$@" \
    -I"$NODE_INCLUDE" -DNODE_GYP_MODULE_NAME=actor_dhcpd_net "$REPO"/native/*.c -o "$out"
}

cat >"$WORK/stress.cjs" <<'EOF'
const assert = require('node:assert');
const n = require(process.env.ADDON);
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
const PORT = 6767;
(async () => {
  let received = 0;
  // 1. Open/close churn with traffic in flight; double close and send after close are errno values.
  for (let round = 0; round < 40; round++) {
    const h = n.udpOpen('127.0.0.1', PORT, 4, (err, batch) => {
      assert.strictEqual(err, 0);
      for (const d of batch) assert.strictEqual(d.ifindex, 1);
      received += batch.length;
    });
    assert.strictEqual(typeof h, 'object');
    for (let i = 0; i < 16; i++) assert.strictEqual(n.udpSend(h, Buffer.alloc(300 + i, i), '127.0.0.1', PORT, i % 2, i % 3 ? '' : '127.0.0.1'), 300 + i);
    await tick(round % 4);
    assert.strictEqual(n.udpClose(h), 0);
    assert.strictEqual(n.udpClose(h), -9);
    assert.strictEqual(n.udpSend(h, Buffer.alloc(1), '127.0.0.1', PORT, 0, ''), -9);
  }
  assert(received > 0, 'nothing received');
  // 2. Close from inside the callback, with more datagrams still queued. (Another port: a socket closed just now
  // keeps its fd until libuv's close callback, and its more specific 127.0.0.1 binding would win the datagrams.)
  await new Promise((resolve) => {
    const h = n.udpOpen('', PORT + 200, 2, () => { assert.strictEqual(n.udpClose(h), 0); resolve(); });
    for (let i = 0; i < 8; i++) assert.strictEqual(n.udpSend(h, Buffer.alloc(65507, i), '127.0.0.1', PORT + 200, 0, ''), 65507);
  });
  // 3. A callback that throws: reported as an uncaught exception, never an abort.
  await new Promise((resolve) => {
    process.once('uncaughtException', (e) => { assert.strictEqual(e.message, 'boom'); resolve(); });
    const h = n.udpOpen('', PORT + 201, 2, () => { n.udpClose(h); throw new Error('boom'); });
    n.udpSend(h, Buffer.from('x'), '127.0.0.1', PORT + 201, 0, '');
  });
  // 4. Handles dropped without close: the finalizer closes them.
  for (let i = 0; i < 20; i++) n.udpOpen('', PORT + 1 + i, 1, () => {});
  if (global.gc) { global.gc(); await tick(10); global.gc(); await tick(10); }
  // 5. errno paths and wrong argument types.
  assert.strictEqual(n.udpOpen('203.0.113.99', PORT, 1, () => {}), -99); // EADDRNOTAVAIL
  for (const bad of [() => n.udpOpen('x', 1, 1, () => {}), () => n.udpOpen('', 70000, 1, () => {}), () => n.udpOpen('', 1, 0, () => {}),
    () => n.udpOpen('', 1, 1, 'nope'), () => n.udpSend({}, Buffer.alloc(1), '', 1, 0, ''), () => n.packetSend(0, Buffer.alloc(1), 1, Buffer.alloc(5)),
    () => n.udpSend(), () => n.fdClose('x')]) assert.throws(bad, TypeError);
  const fd = n.packetOpen();
  assert(fd >= 0, `packetOpen ${fd}`);
  assert(n.packetSend(fd, Buffer.alloc(28), 9999, Buffer.alloc(6)) < 0);
  assert(n.packetSend(fd, Buffer.alloc(28, 0x45), 1, Buffer.from([2, 0, 0, 0, 0, 1])) > 0);
  assert.strictEqual(n.fdClose(fd), 0);
  assert.strictEqual(n.fdClose(fd), -9);
  // 6. Left open at exit: the env teardown hook closes it.
  n.udpOpen('', PORT + 100, 1, () => {});
  console.log(`stress ok (${received} datagrams received)`);
  setImmediate(() => process.exit(0));
})().catch((e) => { console.error(e); process.exit(1); });
EOF

ip netns add "$NS"
ip -n "$NS" link set lo up

echo "native-asan: AddressSanitizer + UndefinedBehaviorSanitizer" >&2
compile "$WORK/asan.node" -fsanitize=address,undefined -fno-sanitize-recover=undefined
# Node itself is not instrumented: preload the runtime; its own by-design leaks at exit are not ours to judge here.
ip netns exec "$NS" env LD_PRELOAD="$(gcc -print-file-name=libasan.so)" ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ADDON="$WORK/asan.node" node --expose-gc "$WORK/stress.cjs"

if [[ "${1:-}" == "--valgrind" ]]; then
  command -v valgrind >/dev/null || { echo "native-asan: valgrind not installed" >&2; exit 1; }
  echo "native-asan: valgrind memcheck (slow)" >&2
  compile "$WORK/plain.node"
  ip netns exec "$NS" env ADDON="$WORK/plain.node" valgrind --leak-check=full --errors-for-leak-kinds=definite \
    --log-file="$WORK/valgrind.log" node --expose-gc --jitless "$WORK/stress.cjs"
  # Report only what involves the addon: Node and V8 hold much memory until exit by design.
  # (Captured first: `grep -q` in a pipeline under pipefail would report a SIGPIPE'd writer as "no match".)
  findings="$(grep -A25 -E '(Invalid (read|write|free)|uninitialised|definitely lost in)' "$WORK/valgrind.log" || true)"
  if [[ "$findings" == *dhcpd_net* ]]; then
    printf '%s\n' "$findings" >&2
    echo "native-asan: valgrind found problems in the addon" >&2
    exit 1
  fi
  echo "native-asan: valgrind clean for the addon" >&2
fi
echo "native-asan: ok" >&2
