// UDP socket with IP_PKTINFO (RFC 2131 §4.1, §4.3.1): receive with the arriving interface and destination address,
// send through a chosen interface with a chosen source. Driven by a uv_poll_t on Node's loop.
#include "common.h"

#include <uv.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* recvmmsg fills up to RX_SLOTS datagrams per system call, each into its own slot. A DHCP message is at most
   what option 57 allows and in practice one MTU: a datagram over RX_SLOT_SIZE arrives truncated (MSG_TRUNC) and is
   dropped, reported as EMSGSIZE. */
#define RX_SLOTS 64
#define RX_SLOT_SIZE 8192
#define RX_CONTROL_SIZE \
  (CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(uint32_t)))

typedef struct rx_s {
  uv_poll_t poll;
  napi_env env;
  napi_ref callback;
  napi_async_context async_ctx;
  napi_async_cleanup_hook_handle cleanup_hook;
  int fd;
  unsigned max_batch;
  int closing;   /* udpClose (or env teardown) started: no more callbacks, sends fail with EBADF */
  int uv_closed; /* libuv released the poll handle */
  int js_dead;   /* the External was finalized: nobody can reach this struct from JS any more */
  int no_mmsg;   /* recvmmsg is not available (ENOSYS): one recvmsg per datagram */
  /* The RX_SLOTS receive slots, RX_SLOT_SIZE bytes each: the caller's ArrayBuffer for a flat handle (udpOpenFlat),
     else our own allocation. */
  unsigned char *slots;
  int owns_slots;
  /* Flat handles only: RX_META_FIELDS int32 per datagram delivered (see udpOpenFlat), and the references that
     keep the caller's slots and meta alive while the socket may write them. */
  int32_t *meta;
  /* Flat handles whose meta has room for it (RX_SLOTS + 1 more int32 after the rows): each datagram's wait in the
     socket's queue, in µs, from the kernel's receive timestamp (SO_TIMESTAMPNS), then the datagrams the socket's
     full queue has dropped since it opened (SO_RXQ_OVFL); else NULL. */
  int32_t *waits;
  /* The DISCOVER lane (lane.c): on the main handle, the lane's socket (NULL without one) and what came of asking for
     it (its queue as granted in bytes, 0 when not asked, -errno when it could not open); on the lane, its main handle,
     whose callback, state and slots it uses. */
  struct rx_s *lane;
  int lane_status;
  struct rx_s *owner;
  /* Which datagrams this socket delivers: with a lane, each of the two gets a copy of every broadcast and keeps its
     share (lane.c). */
  enum { KEEP_ALL, KEEP_OTHERS, KEEP_DISCOVERS } keep;
  /* Where this socket's drop count (SO_RXQ_OVFL) goes, and on the lane its count of datagrams received: the caller's
     meta when it has room for them, else these fields. */
  int32_t *drops;
  int32_t *lane_received;
  int32_t own_counts[2];
  napi_ref flat_refs[2];
  struct mmsghdr msgs[RX_SLOTS];
  struct iovec iovs[RX_SLOTS];
  struct sockaddr_in from[RX_SLOTS];
  char control[RX_SLOTS][RX_CONTROL_SIZE];
} rx_t;

/* A flat batch's row per datagram: offset of its bytes in the slots, length, source IPv4 (host order), source port,
   receiving interface index, destination IPv4 (host order: tells broadcast from unicast). */
#define RX_META_FIELDS 6

static rx_t *get_rx(napi_env env, napi_value v) {
  void *p = NULL;
  if (napi_get_value_external(env, v, &p) != napi_ok || p == NULL) {
    napi_throw_type_error(env, NULL, "dhcpd_net: expected a socket handle");
    return NULL;
  }
  return (rx_t *)p;
}

/* ---------- receive: recvmmsg with IP_PKTINFO, batched into one JS call ---------- */

/* The receiving interface and the IP header's destination (tells broadcast from unicast), from IP_PKTINFO. */
static void pktinfo_of(struct msghdr *msg, int *ifindex, struct in_addr *dst) {
  *ifindex = 0;
  dst->s_addr = htonl(INADDR_ANY);
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
      struct in_pktinfo pi;
      memcpy(&pi, CMSG_DATA(c), sizeof pi);
      *ifindex = pi.ipi_ifindex;
      *dst = pi.ipi_addr;
    }
  }
}

/* How long the datagram waited in the socket's queue (µs, 0 to INT32_MAX): `now` less the kernel's receive time
   (SO_TIMESTAMPNS); 0 when the kernel gave none. Also updates *drops with the socket's drop count (SO_RXQ_OVFL: the
   datagrams its full queue had dropped when this one was queued), when the kernel gave one. */
static int32_t waited_us(struct msghdr *msg, const struct timespec *now, int32_t *drops) {
  int32_t us = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c != NULL; c = CMSG_NXTHDR(msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      struct timespec at;
      memcpy(&at, CMSG_DATA(c), sizeof at);
      int64_t waited = ((int64_t)now->tv_sec - at.tv_sec) * 1000000 + (now->tv_nsec - at.tv_nsec) / 1000;
      us = waited < 0 ? 0 : waited > INT32_MAX ? INT32_MAX : (int32_t)waited;
    } else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
      uint32_t dropped;
      memcpy(&dropped, CMSG_DATA(c), sizeof dropped);
      *drops = (int32_t)dropped; /* wraps like the kernel's counter: read as a difference */
    }
  }
  return us;
}

static napi_value datagram_object(napi_env env, const unsigned char *buf, size_t n, const struct sockaddr_in *from,
                                  struct msghdr *msg) {
  char src[INET_ADDRSTRLEN] = "", dst[INET_ADDRSTRLEN] = "";
  int ifindex = 0;
  struct in_addr dst_addr;
  pktinfo_of(msg, &ifindex, &dst_addr);
  if (dst_addr.s_addr != htonl(INADDR_ANY)) inet_ntop(AF_INET, &dst_addr, dst, sizeof dst);
  inet_ntop(AF_INET, &from->sin_addr, src, sizeof src);
  napi_value obj = NULL, data = NULL, v = NULL;
  void *copy = NULL;
  napi_create_object(env, &obj);
  napi_create_buffer_copy(env, n, buf, &copy, &data);
  napi_set_named_property(env, obj, "data", data);
  napi_create_string_utf8(env, src, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "address", v);
  napi_set_named_property(env, obj, "port", make_int(env, ntohs(from->sin_port)));
  napi_set_named_property(env, obj, "ifindex", make_int(env, ifindex));
  napi_create_string_utf8(env, dst, NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "localAddress", v);
  return obj;
}

/* Points slot i's header at its buffers again (recvmmsg overwrites the lengths). */
static void rx_slot_reset(rx_t *rx, unsigned i) {
  memset(&rx->from[i], 0, sizeof rx->from[i]);
  rx->iovs[i] = (struct iovec){.iov_base = rx->slots + (size_t)i * RX_SLOT_SIZE, .iov_len = RX_SLOT_SIZE};
  rx->msgs[i].msg_hdr = (struct msghdr){.msg_name = &rx->from[i], .msg_namelen = sizeof rx->from[i],
                                        .msg_iov = &rx->iovs[i], .msg_iovlen = 1,
                                        .msg_control = rx->control[i], .msg_controllen = RX_CONTROL_SIZE};
  rx->msgs[i].msg_len = 0;
}

/* Receives up to `want` datagrams into the slots: how many, or -errno (EAGAIN: none waiting). */
static int rx_receive(rx_t *rx, unsigned want) {
  for (unsigned i = 0; i < want; i++) rx_slot_reset(rx, i);
  for (;;) {
    if (!rx->no_mmsg) {
      int got = recvmmsg(rx->fd, rx->msgs, want, 0, NULL);
      if (got >= 0) return got;
      if (errno == EINTR) continue;
      if (errno != ENOSYS) return -errno;
      rx->no_mmsg = 1;
    }
    ssize_t n = recvmsg(rx->fd, &rx->msgs[0].msg_hdr, 0);
    if (n >= 0) {
      rx->msgs[0].msg_len = (unsigned)n;
      return 1;
    }
    if (errno != EINTR) return -errno;
  }
}

/* Drains up to max_batch datagrams; returns 0 or the errno that stopped the drain (EAGAIN excluded). A truncated
   datagram is skipped and reported as EMSGSIZE once the drain ends. */
static int drain(napi_env env, rx_t *rx, napi_value batch, uint32_t *count) {
  int truncated = 0;
  unsigned received = 0; /* the bound: dropped datagrams count too, so a flood of them cannot hold the loop */
  *count = 0;
  while (received < rx->max_batch) {
    unsigned want = rx->max_batch - received < RX_SLOTS ? rx->max_batch - received : RX_SLOTS;
    int got = rx_receive(rx, want);
    if (got < 0) {
      if (got == -EAGAIN || got == -EWOULDBLOCK) break;
      return -got;
    }
    received += (unsigned)got;
    for (int i = 0; i < got; i++) {
      struct msghdr *msg = &rx->msgs[i].msg_hdr;
      if (msg->msg_flags & MSG_TRUNC) {
        truncated = 1;
        continue;
      }
      napi_set_element(env, batch, (*count)++, datagram_object(env, rx->slots + (size_t)i * RX_SLOT_SIZE, rx->msgs[i].msg_len, &rx->from[i], msg));
    }
    if ((unsigned)got < want) break; /* the queue is empty: no need to ask again */
  }
  return truncated ? EMSGSIZE : 0;
}

/* Calls the JS callback with argv; a throw in it is reported like any uncaught exception. */
static void rx_call(rx_t *rx, size_t argc, napi_value *argv) {
  napi_env env = rx->env;
  napi_value cb = NULL, recv = NULL, result = NULL;
  napi_get_reference_value(env, rx->callback, &cb);
  napi_get_global(env, &recv); /* napi_make_callback wants an object receiver */
  if (cb == NULL) return;
  /* napi_make_callback (not napi_call_function) so promise jobs and nextTicks queued by RxJS subscribers run. */
  if (napi_make_callback(env, rx->async_ctx, recv, cb, argc, argv, &result) == napi_pending_exception) {
    napi_value exc = NULL;
    napi_get_and_clear_last_exception(env, &exc);
    napi_fatal_exception(env, exc); /* same as any uncaught throw: process 'uncaughtException', not abort */
  }
}

/* A flat handle: each recvmmsg round goes to JS as (errno, count), the datagrams left in the caller's slots and
   their rows in its meta array, with no JS object made per datagram. The slots are reused by the next round, so
   every round is delivered before the next is received. */
static void on_readable_flat(rx_t *rx, int status) {
  rx_t *owner = rx->owner != NULL ? rx->owner : rx; /* a lane delivers through its main handle */
  napi_env env = owner->env;
  unsigned received = 0; /* the bound: dropped datagrams count too, so a flood of them cannot hold the loop */
  int err = status < 0 ? -status : 0;
  for (;;) {
    unsigned want = rx->max_batch - received < RX_SLOTS ? rx->max_batch - received : RX_SLOTS;
    int got = 0, truncated = 0;
    uint32_t count = 0;
    if (err == 0) {
      got = rx_receive(rx, want);
      if (got < 0) {
        if (got != -EAGAIN && got != -EWOULDBLOCK) err = -got;
        got = 0;
      }
    }
    received += (unsigned)got;
    struct timespec now = {0, 0};
    if (got > 0 && rx->waits != NULL) clock_gettime(CLOCK_REALTIME, &now); /* the timestamps' clock */
    for (int i = 0; i < got; i++) {
      struct msghdr *msg = &rx->msgs[i].msg_hdr;
      if (msg->msg_flags & MSG_TRUNC) {
        truncated = 1;
        continue;
      }
      const unsigned char *bytes = rx->slots + (size_t)i * RX_SLOT_SIZE;
      if (rx->keep != KEEP_ALL && lane_is_discover(bytes, rx->msgs[i].msg_len) != (rx->keep == KEEP_DISCOVERS)) {
        continue; /* the other socket's copy of a broadcast */
      }
      if (rx->waits != NULL) rx->waits[count] = waited_us(msg, &now, rx->drops);
      int ifindex;
      struct in_addr dst;
      pktinfo_of(msg, &ifindex, &dst);
      int32_t *row = rx->meta + (size_t)count * RX_META_FIELDS;
      row[0] = (int32_t)((size_t)i * RX_SLOT_SIZE);
      row[1] = (int32_t)rx->msgs[i].msg_len;
      row[2] = (int32_t)ntohl(rx->from[i].sin_addr.s_addr);
      row[3] = ntohs(rx->from[i].sin_port);
      row[4] = ifindex;
      row[5] = (int32_t)ntohl(dst.s_addr);
      count++;
    }
    if (rx->lane_received != NULL) *rx->lane_received = (int32_t)((uint32_t)*rx->lane_received + count);
    if (err == 0 && truncated) err = EMSGSIZE;
    if (count == 0 && err == 0) return;
    napi_handle_scope scope;
    if (napi_open_handle_scope(env, &scope) != napi_ok) return;
    napi_value argv[2] = {make_int(env, -err), make_int(env, count)};
    rx_call(owner, 2, argv);
    napi_close_handle_scope(env, scope);
    /* Stop when the callback closed the socket, a receive failed, the queue is empty or the bound is reached. */
    if (owner->closing || (err != 0 && err != EMSGSIZE) || (unsigned)got < want || received >= rx->max_batch) return;
    err = 0;
  }
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  rx_t *rx = (rx_t *)handle->data;
  if (rx->owner != NULL) {
    /* The DISCOVER lane is read only after the main queue: what completes an exchange goes first. */
    if (rx->owner->closing) return;
    on_readable_flat(rx->owner, 0);
    if (!rx->owner->closing) on_readable_flat(rx, status);
    return;
  }
  if (rx->closing) return;
  if (rx->meta != NULL) {
    on_readable_flat(rx, status);
    return;
  }
  napi_env env = rx->env;
  napi_handle_scope scope;
  if (napi_open_handle_scope(env, &scope) != napi_ok) return;
  napi_value batch = NULL, argv[2];
  uint32_t count = 0;
  int err = status < 0 ? -status : 0;
  napi_create_array(env, &batch);
  if (err == 0) err = drain(env, rx, batch, &count);
  argv[0] = make_int(env, -err);
  argv[1] = batch;
  if (count > 0 || err != 0) rx_call(rx, 2, argv);
  napi_close_handle_scope(env, scope);
}

/* ---------- lifetime: close from JS, from env teardown, and free when both libuv and JS let go ---------- */

static void rx_maybe_free(rx_t *rx) {
  if (!rx->uv_closed || !rx->js_dead) return;
  if (rx->owns_slots) free(rx->slots);
  free(rx);
}

static void rx_uv_closed(uv_handle_t *handle) {
  rx_t *rx = (rx_t *)handle->data;
  close(rx->fd);
  rx->fd = -1;
  if (rx->cleanup_hook != NULL) napi_remove_async_cleanup_hook(rx->cleanup_hook);
  rx->cleanup_hook = NULL;
  rx->uv_closed = 1;
  rx_maybe_free(rx);
}

/* The lane is owned by its main handle, closed with it and freed once libuv lets go of it. */
static void lane_uv_closed(uv_handle_t *handle) {
  rx_t *lane = (rx_t *)handle->data;
  close(lane->fd);
  free(lane);
}

static void rx_begin_close(rx_t *rx) {
  if (rx->closing) return;
  rx->closing = 1;
  if (rx->lane != NULL) {
    uv_poll_stop(&rx->lane->poll);
    uv_close((uv_handle_t *)&rx->lane->poll, lane_uv_closed);
    rx->lane = NULL;
  }
  uv_poll_stop(&rx->poll); /* libuv: stop watching before the fd is closed */
  napi_delete_reference(rx->env, rx->callback);
  rx->callback = NULL;
  for (int i = 0; i < 2; i++) {
    if (rx->flat_refs[i] != NULL) napi_delete_reference(rx->env, rx->flat_refs[i]);
    rx->flat_refs[i] = NULL;
  }
  rx->meta = NULL; /* the caller's arrays may go now: nothing writes them any more */
  rx->waits = NULL;
  napi_async_destroy(rx->env, rx->async_ctx);
  uv_close((uv_handle_t *)&rx->poll, rx_uv_closed);
}

static void rx_env_teardown(napi_async_cleanup_hook_handle hook, void *arg) {
  (void)hook;
  rx_begin_close((rx_t *)arg);
}

static void rx_finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  rx_t *rx = (rx_t *)data;
  rx_begin_close(rx);
  rx->js_dead = 1;
  rx_maybe_free(rx);
}

/* ---------- UDP socket ---------- */

/* 4 MiB asked (the kernel doubles it for its bookkeeping): ~6,000 small datagrams, 0.3 s of a 20,000 pps flood, so a
   GC pause of the daemon (scavenges of 50-150 ms under a flood) is queued instead of dropped. 1 MiB held ~1,500.
   The daemon then sets the configured size (listen.receiveBufferKiB, udpSetReceiveBuffer); this is the size until
   then, and with a caller that does not set one. */
#define RCVBUF_BYTES (4 * 1024 * 1024)

/* `group`: a socket of a reuseport group (udpOpenFlat's DISCOVER lane, lane.c). */
static int udp_socket(struct in_addr addr, int port, int group) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -errno;
  int one = 1;
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = addr};
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
      (group && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0) ||
      setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) < 0 ||
      setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof one) < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0 ||
      setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one) < 0 ||
      bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
    int err = errno;
    close(fd);
    return -err;
  }
  /* A deep receive queue absorbs bursts (a relay flushing, many clients booting at once) that the default
     ~200 KB would drop in the kernel. FORCE needs CAP_NET_ADMIN and ignores rmem_max; without it, ask for what
     rmem_max allows. Failure is harmless: the default queue stays. */
  int rcvbuf = RCVBUF_BYTES;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) < 0) {
    (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  }
  return fd;
}

typedef struct {
  unsigned char *slots;
  int32_t *meta;
  int32_t *waits;
  napi_value slots_value, meta_value;
} rx_flat;

/* Watches an open non-blocking datagram socket on Node's loop: each wakeup drains up to max_batch datagrams into one
   call of `callback` (errno, datagrams[]). Returns the handle (udpSend/udpClose take it) or -errno; closes fd on failure. */
static napi_value rx_attach_with(napi_env env, int fd, int32_t max_batch, napi_value callback, const rx_flat *flat) {
  napi_value handle = NULL, name = NULL;
  uv_loop_t *loop = NULL;
  rx_t *rx = calloc(1, sizeof *rx);
  if (rx != NULL && flat == NULL) {
    rx->slots = malloc((size_t)RX_SLOTS * RX_SLOT_SIZE);
    rx->owns_slots = 1;
  } else if (rx != NULL) {
    rx->slots = flat->slots;
    rx->meta = flat->meta;
    rx->waits = flat->waits;
  }
  if (rx != NULL) rx->drops = rx->waits != NULL ? &rx->waits[RX_SLOTS] : &rx->own_counts[0];
  if (rx == NULL || rx->slots == NULL || napi_get_uv_event_loop(env, &loop) != napi_ok ||
      uv_poll_init_socket(loop, &rx->poll, fd) != 0) {
    if (rx != NULL && rx->owns_slots) free(rx->slots);
    free(rx);
    close(fd);
    return make_int(env, -ENOMEM);
  }
  if (flat != NULL) {
    napi_create_reference(env, flat->slots_value, 1, &rx->flat_refs[0]);
    napi_create_reference(env, flat->meta_value, 1, &rx->flat_refs[1]);
  }
  rx->env = env;
  rx->fd = fd;
  rx->max_batch = (unsigned)max_batch;
  rx->poll.data = rx;
  napi_create_reference(env, callback, 1, &rx->callback);
  napi_create_string_utf8(env, "dhcpd_net.udp", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, NULL, name, &rx->async_ctx);
  napi_add_async_cleanup_hook(env, rx_env_teardown, rx, &rx->cleanup_hook);
  uv_poll_start(&rx->poll, UV_READABLE, on_readable);
  CHECK_NAPI(napi_create_external(env, rx, rx_finalize, NULL, &handle));
  return handle;
}

napi_value rx_attach(napi_env env, int fd, int32_t max_batch, napi_value callback) {
  return rx_attach_with(env, fd, max_batch, callback, NULL);
}

/* udpOpen(address: string, port: number, maxBatch: number, onBatch: (errno, datagrams[]) => void): handle | -errno */
napi_value udp_open(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  struct in_addr addr;
  int32_t port = 0, max_batch = 0;
  napi_valuetype cb_type;
  if (!get_args(env, info, 4, argv) || !get_ipv4(env, argv[0], &addr) || !get_i32(env, argv[1], &port) ||
      !get_i32(env, argv[2], &max_batch))
    return NULL;
  CHECK_NAPI(napi_typeof(env, argv[3], &cb_type));
  if (cb_type != napi_function || port < 0 || port > 65535 || max_batch < 1) {
    napi_throw_type_error(env, NULL, "dhcpd_net: udpOpen(address, port 0..65535, maxBatch >= 1, callback)");
    return NULL;
  }
  int fd = udp_socket(addr, port, 0);
  if (fd < 0) return make_int(env, fd);
  return rx_attach(env, fd, max_batch, argv[3]);
}

/* Opens the DISCOVER lane beside main_rx's socket (bound with SO_REUSEPORT): its queue as granted in bytes, or -errno
   (main_rx then keeps every datagram, as without a lane). `counts`, when given, gets the lane's drop count and its
   datagrams received (else the lane keeps them to itself). */
static int lane_open(napi_env env, rx_t *main_rx, struct in_addr addr, int port, int bytes, int32_t *counts) {
  uv_loop_t *loop = NULL;
  int granted = 0;
  socklen_t granted_size = sizeof granted;
  /* Steering comes first: until the lane is bound, the kernel falls back to the only socket there is. */
  int err = lane_steer_discovers(main_rx->fd);
  if (err < 0) return err;
  int fd = udp_socket(addr, port, 1);
  if (fd < 0) return fd;
  rx_t *lane = calloc(1, sizeof *lane);
  err = lane == NULL ? -ENOMEM : 0;
  if (err == 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) < 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) < 0)
    err = -errno;
  if (err == 0 && getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &granted_size) < 0) err = -errno;
  if (err == 0 && (napi_get_uv_event_loop(env, &loop) != napi_ok || uv_poll_init_socket(loop, &lane->poll, fd) != 0))
    err = -ENOMEM;
  if (err != 0) {
    free(lane);
    close(fd);
    return err;
  }
  lane->env = env;
  lane->fd = fd;
  lane->max_batch = main_rx->max_batch;
  lane->slots = main_rx->slots;
  lane->meta = main_rx->meta;
  lane->waits = main_rx->waits;
  lane->drops = counts != NULL ? &counts[0] : &lane->own_counts[0];
  lane->lane_received = counts != NULL ? &counts[1] : &lane->own_counts[1];
  lane->owner = main_rx;
  lane->keep = KEEP_DISCOVERS;
  lane->poll.data = lane;
  main_rx->lane = lane;
  main_rx->keep = KEEP_OTHERS; /* nothing is read before this returns: no datagram is kept twice or by neither */
  uv_poll_start(&lane->poll, UV_READABLE, on_readable);
  return granted;
}

/* udpDiscoverLane(handle): what came of udpOpenFlat's discoverQueueBytes: the lane's queue as the kernel granted it
   (SO_RCVBUF: twice the payload bytes asked), 0 when none was asked, or -errno of why it could not open. */
napi_value udp_discover_lane(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  rx_t *rx = get_rx(env, argv[0]);
  if (rx == NULL) return NULL;
  return make_int(env, rx->lane_status);
}

/* udpOpenFlat(address, port, maxBatch, slots: Uint8Array, meta: Int32Array, onBatch: (errno, count) => void):
   handle | -errno. As udpOpen, but each batch is left in `slots` (at least RX_SLOTS x RX_SLOT_SIZE bytes, written
   by recvmmsg directly) and described by `count` rows of RX_META_FIELDS int32 in `meta` (at least RX_SLOTS rows;
   when meta has RX_SLOTS + 1 int32 more, they get each datagram's wait in the socket's queue in µs and the socket's
   drop count, see waited_us),
   valid until the callback returns: no JS object per datagram. The arrays must not be resized or detached. */
napi_value udp_open_flat(napi_env env, napi_callback_info info) {
  napi_value argv[7];
  size_t argc = 7;
  struct in_addr addr;
  int32_t port = 0, max_batch = 0, lane_bytes = 0;
  napi_valuetype cb_type, lane_type = napi_undefined;
  napi_typedarray_type slots_type, meta_type;
  size_t slots_len = 0, meta_len = 0, offset = 0;
  void *slots = NULL, *meta = NULL;
  napi_value ab;
  CHECK_NAPI(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 6) {
    napi_throw_type_error(env, NULL, "dhcpd_net: missing arguments");
    return NULL;
  }
  if (argc == 7) CHECK_NAPI(napi_typeof(env, argv[6], &lane_type));
  if (!get_ipv4(env, argv[0], &addr) || !get_i32(env, argv[1], &port) || !get_i32(env, argv[2], &max_batch) ||
      (lane_type != napi_undefined && !get_i32(env, argv[6], &lane_bytes)))
    return NULL;
  CHECK_NAPI(napi_typeof(env, argv[5], &cb_type));
  if (napi_get_typedarray_info(env, argv[3], &slots_type, &slots_len, &slots, &ab, &offset) != napi_ok ||
      napi_get_typedarray_info(env, argv[4], &meta_type, &meta_len, &meta, &ab, &offset) != napi_ok ||
      slots_type != napi_uint8_array || meta_type != napi_int32_array || slots_len < (size_t)RX_SLOTS * RX_SLOT_SIZE ||
      meta_len < (size_t)RX_SLOTS * RX_META_FIELDS || cb_type != napi_function || port < 0 || port > 65535 ||
      max_batch < 1 || lane_bytes < 0) {
    napi_throw_type_error(env, NULL,
                          "dhcpd_net: udpOpenFlat(address, port 0..65535, maxBatch >= 1, slots: Uint8Array(64 * 8192), "
                          "meta: Int32Array(64 * 6), callback, discoverQueueBytes >= 0?)");
    return NULL;
  }
  int fd = udp_socket(addr, port, lane_bytes > 0);
  if (fd < 0) return make_int(env, fd);
  size_t rows = (size_t)RX_SLOTS * RX_META_FIELDS;
  int32_t *waits = meta_len >= rows + RX_SLOTS + 1 ? (int32_t *)meta + rows : NULL;
  rx_flat flat = {.slots = slots, .meta = meta, .waits = waits, .slots_value = argv[3], .meta_value = argv[4]};
  napi_value handle = rx_attach_with(env, fd, max_batch, argv[5], &flat);
  void *rx = NULL;
  if (lane_bytes > 0 && napi_get_value_external(env, handle, &rx) == napi_ok && rx != NULL) {
    int32_t *counts = meta_len >= rows + RX_SLOTS + 3 ? waits + RX_SLOTS + 1 : NULL;
    ((rx_t *)rx)->lane_status = lane_open(env, (rx_t *)rx, addr, port, lane_bytes, counts);
  }
  return handle;
}

/* udpSend(handle, data, dstIp, dstPort, ifindex, srcIp): bytes sent | -errno. ifindex 0 / srcIp "" = kernel's pick. */
napi_value udp_send(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  void *data = NULL;
  size_t len = 0;
  struct in_addr dst, src;
  int32_t port = 0, ifindex = 0;
  if (!get_args(env, info, 6, argv)) return NULL;
  rx_t *rx = get_rx(env, argv[0]);
  if (rx == NULL || !get_buffer(env, argv[1], &data, &len) || !get_ipv4(env, argv[2], &dst) ||
      !get_i32(env, argv[3], &port) || !get_i32(env, argv[4], &ifindex) || !get_ipv4(env, argv[5], &src))
    return NULL;
  if (rx->closing) return make_int(env, -EBADF);
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = dst};
  struct iovec iov = {.iov_base = data, .iov_len = len};
  char control[CMSG_SPACE(sizeof(struct in_pktinfo))];
  struct msghdr msg = {.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov, .msg_iovlen = 1};
  memset(control, 0, sizeof control);
  if (ifindex > 0 || src.s_addr != htonl(INADDR_ANY)) {
    /* IP_PKTINFO on send: ipi_ifindex picks the outgoing link (also for 255.255.255.255), ipi_spec_dst the source. */
    struct in_pktinfo pi = {.ipi_ifindex = ifindex, .ipi_spec_dst = src};
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof pi);
    memcpy(CMSG_DATA(c), &pi, sizeof pi);
  }
  ssize_t n;
  do n = sendmsg(rx->fd, &msg, 0);
  while (n < 0 && errno == EINTR);
  return make_int(env, n < 0 ? -errno : n);
}

/* The socket of a handle for the batched sends (send.c): its fd, -1 once closing, -2 with a TypeError pending. */
int udp_fd(napi_env env, napi_value handle) {
  rx_t *rx = get_rx(env, handle);
  if (rx == NULL) return -2;
  return rx->closing ? -1 : rx->fd;
}

/* udpSetReceiveBuffer(handle, bytes): the receive queue asked for (listen.receiveBufferKiB; SO_RCVBUFFORCE, which needs
   CAP_NET_ADMIN and ignores rmem_max, else SO_RCVBUF, capped by rmem_max). Returns what the kernel granted (SO_RCVBUF
   reads back twice the payload bytes: its bookkeeping) or -errno. */
napi_value udp_set_receive_buffer(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  int32_t bytes = 0;
  if (!get_args(env, info, 2, argv) || !get_i32(env, argv[1], &bytes)) return NULL;
  int fd = udp_fd(env, argv[0]);
  if (fd == -2) return NULL;
  if (fd < 0) return make_int(env, -EBADF);
  if (bytes <= 0) return make_int(env, -EINVAL);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) < 0 &&
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes) < 0) {
    return make_int(env, -errno);
  }
  int granted = 0;
  socklen_t len = sizeof granted;
  if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &granted, &len) < 0) return make_int(env, -errno);
  return make_int(env, granted);
}

/* udpClose(handle): 0 | -EBADF when already closed. */
napi_value udp_close(napi_env env, napi_callback_info info) {
  napi_value argv[1];
  if (!get_args(env, info, 1, argv)) return NULL;
  rx_t *rx = get_rx(env, argv[0]);
  if (rx == NULL) return NULL;
  if (rx->closing) return make_int(env, -EBADF);
  rx_begin_close(rx);
  return make_int(env, 0);
}

