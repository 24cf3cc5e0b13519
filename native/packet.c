// AF_PACKET send (RFC 2131 §4.1): a whole IPv4 datagram to a client's MAC before the client has an address.
#include "common.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* packetOpen(): fd | -errno. Protocol 0: the socket only sends and never queues received frames. */
napi_value packet_open(napi_env env, napi_callback_info info) {
  (void)info;
  int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  return make_int(env, fd < 0 ? -errno : fd);
}

/* packetSend(fd, ipDatagram, ifindex, mac: Buffer(6)): bytes sent | -errno. The kernel adds the Ethernet header. */
napi_value packet_send(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  int32_t fd = -1, ifindex = 0;
  void *data = NULL, *mac = NULL;
  size_t len = 0, mac_len = 0;
  if (!get_args(env, info, 4, argv) || !get_i32(env, argv[0], &fd) || !get_buffer(env, argv[1], &data, &len) ||
      !get_i32(env, argv[2], &ifindex) || !get_buffer(env, argv[3], &mac, &mac_len))
    return NULL;
  if (mac_len != ETH_ALEN) {
    napi_throw_type_error(env, NULL, "dhcpd_net: mac must be 6 bytes");
    return NULL;
  }
  struct sockaddr_ll ll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = ifindex,
                           .sll_halen = ETH_ALEN};
  memcpy(ll.sll_addr, mac, ETH_ALEN);
  ssize_t n;
  do n = sendto(fd, data, len, 0, (struct sockaddr *)&ll, sizeof ll);
  while (n < 0 && errno == EINTR);
  return make_int(env, n < 0 ? -errno : n);
}

/* fdClose(fd): 0 | -errno. */
napi_value fd_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  int32_t fd = -1;
  if (!get_args(env, info, 1, argv) || !get_i32(env, argv[0], &fd)) return NULL;
  return make_int(env, close(fd) < 0 ? -errno : 0);
}

