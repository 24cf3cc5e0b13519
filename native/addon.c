// N-API addon: the Linux socket calls Node's dgram lacks (IP_PKTINFO receive/send, AF_PACKET send), for RFC 2131 §4.1,
// the ICMP socket of the conflict check before an offer (RFC 2131 §4.4.1), and the DISCOVER lane (lane.c: DISCOVERs
// in a second socket's queue, read after the main one's).
//
// Kept deliberately small: every decision (which interface, broadcast or not, IP/UDP headers, checksums) is made in
// TypeScript (src/net/native-transport.ts, src/net/packet.ts). System failures come back as negative errno numbers,
// never as exceptions or aborts; only wrong argument types (programmer errors) throw a TypeError.
//
// Readiness: the UDP socket is watched by a uv_poll_t on Node's own loop, and each wakeup drains up to max_batch
// datagrams (until EAGAIN) into ONE call of the JS callback (udpOpenFlat: one call per recvmmsg of up to 64, the
// datagrams left in a caller's buffer and described by an Int32Array, without a JS object per datagram). Why not expose the fd and poll from JS: Node offers no
// public way to watch an arbitrary datagram fd (net.Socket only takes stream fds), so a JS-side poll would be a timer
// (latency, wasted wakeups). uv_poll_t costs one JS crossing per burst and no extra thread.
#include "common.h"

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"udpOpen", NULL, udp_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpOpenFlat", NULL, udp_open_flat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpSend", NULL, udp_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpSendMany", NULL, udp_send_many, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpSendFlat", NULL, udp_send_flat, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packetSendMany", NULL, packet_send_many, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpClose", NULL, udp_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpSetReceiveBuffer", NULL, udp_set_receive_buffer, NULL, NULL, NULL, napi_enumerable, NULL},
      {"udpDiscoverLane", NULL, udp_discover_lane, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packetOpen", NULL, packet_open, NULL, NULL, NULL, napi_enumerable, NULL},
      {"packetSend", NULL, packet_send, NULL, NULL, NULL, napi_enumerable, NULL},
      {"fdClose", NULL, fd_close, NULL, NULL, NULL, napi_enumerable, NULL},
      {"icmpOpen", NULL, icmp_open, NULL, NULL, NULL, napi_enumerable, NULL},
  };
  if (napi_define_properties(env, exports, sizeof props / sizeof props[0], props) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
