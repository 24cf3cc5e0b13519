// ICMP socket for the conflict check before an offer (RFC 2131 §4.4.1: probe the address with an ICMP echo).
// Raw (CAP_NET_RAW, replies with their IP header, filtered to echo replies in the kernel), else an unprivileged
// "ping" socket (SOCK_DGRAM, net.ipv4.ping_group_range; the kernel owns the echo id and delivers replies without
// the IP header). Echo packets are built and parsed in TypeScript (src/net/icmp-echo.ts); sends use udpSend.
#include "common.h"

#include <errno.h>
#include <linux/icmp.h>
#include <sys/socket.h>
#include <unistd.h>

static int icmp_socket(void) {
  int fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  if (fd >= 0) {
    /* A raw ICMP socket sees every ICMP packet of the namespace: keep only echo replies. */
    struct icmp_filter filter = {.data = ~(1U << ICMP_ECHOREPLY)};
    if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof filter) < 0) {
      int err = errno;
      close(fd);
      return -err;
    }
    return fd;
  }
  if (errno != EPERM && errno != EACCES) return -errno;
  fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
  return fd < 0 ? -errno : fd;
}

/* icmpOpen(maxBatch: number, onBatch: (errno, datagrams[]) => void): handle | -errno */
napi_value icmp_open(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t max_batch = 0;
  napi_valuetype cb_type;
  if (!get_args(env, info, 2, argv) || !get_i32(env, argv[0], &max_batch)) return NULL;
  CHECK_NAPI(napi_typeof(env, argv[1], &cb_type));
  if (cb_type != napi_function || max_batch < 1) {
    napi_throw_type_error(env, NULL, "dhcpd_net: icmpOpen(maxBatch >= 1, callback)");
    return NULL;
  }
  int fd = icmp_socket();
  if (fd < 0) return make_int(env, fd);
  return rx_attach(env, fd, max_batch, argv[1]);
}
