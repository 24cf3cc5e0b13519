// Shared declarations of the native transport addon (see addon.c for what it does and why it is this small).
#ifndef DHCPD_NET_COMMON_H
#define DHCPD_NET_COMMON_H

#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* Argument helpers: a wrong type is a programmer error, thrown as a TypeError (they return 0 / NULL then). */
#define CHECK_NAPI(call)                                                  \
  do {                                                                    \
    if ((call) != napi_ok) {                                              \
      napi_throw_type_error(env, NULL, "dhcpd_net: " #call " failed");   \
      return NULL;                                                        \
    }                                                                     \
  } while (0)

napi_value make_int(napi_env env, int64_t v);
int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv);
int get_i32(napi_env env, napi_value v, int32_t *out);
/* Empty string means "unspecified" (INADDR_ANY). */
int get_ipv4(napi_env env, napi_value v, struct in_addr *out);
int get_buffer(napi_env env, napi_value v, void **data, size_t *len);

/* Watches a non-blocking datagram socket (udp.c); the handle works with udpSend and udpClose. */
napi_value rx_attach(napi_env env, int fd, int32_t max_batch, napi_value callback);

/* The fd of a udpOpen/icmpOpen handle: -1 once closing, -2 with a TypeError pending (not a handle). */
int udp_fd(napi_env env, napi_value handle);

napi_value udp_open(napi_env env, napi_callback_info info);
napi_value udp_open_flat(napi_env env, napi_callback_info info);
napi_value udp_send(napi_env env, napi_callback_info info);
napi_value udp_close(napi_env env, napi_callback_info info);
napi_value udp_set_receive_buffer(napi_env env, napi_callback_info info);
napi_value udp_discover_lane(napi_env env, napi_callback_info info);

/* The DISCOVER lane (lane.c): steers the unicast DISCOVERs of fd's reuseport group to its second socket (0 or
   -errno); whether a received datagram is one of those. */
int lane_steer_discovers(int fd);
int lane_is_discover(const unsigned char *message, size_t length);
napi_value udp_send_many(napi_env env, napi_callback_info info);
napi_value udp_send_flat(napi_env env, napi_callback_info info);
napi_value packet_send_many(napi_env env, napi_callback_info info);
napi_value packet_open(napi_env env, napi_callback_info info);
napi_value packet_send(napi_env env, napi_callback_info info);
napi_value fd_close(napi_env env, napi_callback_info info);
napi_value icmp_open(napi_env env, napi_callback_info info);

#endif
