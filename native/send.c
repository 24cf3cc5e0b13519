// Batched sends (sendmmsg): the replies released together (one group commit, one receive batch) leave in one system
// call per TX_SLOTS messages instead of one sendmsg each. Every message gets its own result: sendmmsg stops at the
// first message the kernel refuses and reports only how many went, so the call is repeated from the refused one;
// when that one fails again, its errno is its own result and the messages after it are still sent.
// udpSendFlat takes a batch as one buffer and one Int32Array (no JS value to look up per message); udpSendMany (an
// array per field) stays for callers built against it.
#include "common.h"

#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <string.h>
#include <sys/socket.h>

#define TX_SLOTS 64
#define PKTINFO_SPACE CMSG_SPACE(sizeof(struct in_pktinfo))

typedef union {
  struct sockaddr_in in;
  struct sockaddr_ll ll;
} tx_address;

typedef struct {
  struct mmsghdr msgs[TX_SLOTS];
  struct iovec iovs[TX_SLOTS];
  tx_address to[TX_SLOTS];
  char control[TX_SLOTS][PKTINFO_SPACE];
  uint32_t index[TX_SLOTS]; /* slot -> message number in the caller's arrays */
} tx_batch;

/* Sends msgs[0..n): each message's result (bytes or -errno) into results[index[slot]]. */
static void send_slots(int fd, tx_batch *b, unsigned n, int32_t *results) {
  unsigned i = 0;
  while (i < n) {
    int sent = sendmmsg(fd, b->msgs + i, n - i, 0);
    if (sent > 0) {
      for (int k = 0; k < sent; k++) results[b->index[i + k]] = (int32_t)b->msgs[i + k].msg_len;
      i += (unsigned)sent;
      continue;
    }
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && errno == ENOSYS) {
      /* No sendmmsg: one sendmsg per message, same results. */
      for (; i < n; i++) {
        ssize_t one;
        do one = sendmsg(fd, &b->msgs[i].msg_hdr, 0);
        while (one < 0 && errno == EINTR);
        results[b->index[i]] = (int32_t)(one < 0 ? -errno : one);
      }
      return;
    }
    /* The first unsent message is the one refused: its errno is its own, the rest are tried again. */
    results[b->index[i]] = sent < 0 ? -errno : -EIO;
    i++;
  }
}

static int typed_int32(napi_env env, napi_value v, int32_t **data, size_t *length) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  if (napi_get_typedarray_info(env, v, &type, length, (void **)data, &buffer, &offset) != napi_ok || type != napi_int32_array) {
    napi_throw_type_error(env, NULL, "dhcpd_net: expected an Int32Array");
    return 0;
  }
  return 1;
}

static int array_length(napi_env env, napi_value v, uint32_t *length) {
  if (napi_get_array_length(env, v, length) != napi_ok) {
    napi_throw_type_error(env, NULL, "dhcpd_net: expected an array");
    return 0;
  }
  return 1;
}

/* IP_PKTINFO on send: ipi_ifindex picks the outgoing link (also for 255.255.255.255), ipi_spec_dst the source. */
static void set_pktinfo(struct msghdr *msg, char *control, int32_t ifindex, struct in_addr src) {
  if (ifindex <= 0 && src.s_addr == htonl(INADDR_ANY)) {
    msg->msg_control = NULL;
    msg->msg_controllen = 0;
    return;
  }
  struct in_pktinfo pi = {.ipi_ifindex = ifindex, .ipi_spec_dst = src};
  memset(control, 0, PKTINFO_SPACE);
  msg->msg_control = control;
  msg->msg_controllen = PKTINFO_SPACE;
  struct cmsghdr *c = CMSG_FIRSTHDR(msg);
  c->cmsg_level = IPPROTO_IP;
  c->cmsg_type = IP_PKTINFO;
  c->cmsg_len = CMSG_LEN(sizeof pi);
  memcpy(CMSG_DATA(c), &pi, sizeof pi);
}

/* Fills slot `slot` of `b` with UDP message m: 0, or -1 with a TypeError pending. */
static int udp_slot(napi_env env, tx_batch *b, unsigned slot, uint32_t m, napi_value datas, napi_value addresses,
                    napi_value sources, const int32_t *numbers) {
  napi_value data_v, address_v, source_v;
  void *data = NULL;
  size_t len = 0;
  struct in_addr dst, src;
  if (napi_get_element(env, datas, m, &data_v) != napi_ok || napi_get_element(env, addresses, m, &address_v) != napi_ok ||
      napi_get_element(env, sources, m, &source_v) != napi_ok)
    return -1;
  if (!get_buffer(env, data_v, &data, &len) || !get_ipv4(env, address_v, &dst) || !get_ipv4(env, source_v, &src)) return -1;
  b->to[slot].in = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)numbers[2 * m]), .sin_addr = dst};
  b->iovs[slot] = (struct iovec){.iov_base = data, .iov_len = len};
  b->msgs[slot].msg_hdr = (struct msghdr){.msg_name = &b->to[slot].in, .msg_namelen = sizeof b->to[slot].in,
                                          .msg_iov = &b->iovs[slot], .msg_iovlen = 1};
  set_pktinfo(&b->msgs[slot].msg_hdr, b->control[slot], numbers[2 * m + 1], src);
  b->msgs[slot].msg_len = 0;
  b->index[slot] = m;
  return 0;
}

/* Fills slot `slot` with AF_PACKET message m (a whole IPv4 datagram to a MAC on an ifindex). */
static int packet_slot(napi_env env, tx_batch *b, unsigned slot, uint32_t m, napi_value datagrams, napi_value macs,
                       const int32_t *ifindexes) {
  napi_value data_v, mac_v;
  void *data = NULL, *mac = NULL;
  size_t len = 0, mac_len = 0;
  if (napi_get_element(env, datagrams, m, &data_v) != napi_ok || napi_get_element(env, macs, m, &mac_v) != napi_ok) return -1;
  if (!get_buffer(env, data_v, &data, &len) || !get_buffer(env, mac_v, &mac, &mac_len)) return -1;
  if (mac_len != ETH_ALEN) {
    napi_throw_type_error(env, NULL, "dhcpd_net: mac must be 6 bytes");
    return -1;
  }
  struct sockaddr_ll *ll = &b->to[slot].ll;
  *ll = (struct sockaddr_ll){.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP), .sll_ifindex = ifindexes[m],
                             .sll_halen = ETH_ALEN};
  memcpy(ll->sll_addr, mac, ETH_ALEN);
  b->iovs[slot] = (struct iovec){.iov_base = data, .iov_len = len};
  b->msgs[slot].msg_hdr = (struct msghdr){.msg_name = ll, .msg_namelen = sizeof *ll, .msg_iov = &b->iovs[slot], .msg_iovlen = 1};
  b->msgs[slot].msg_len = 0;
  b->index[slot] = m;
  return 0;
}

/* udpSendMany(handle, datas: Buffer[], addresses: string[], sources: string[], numbers: Int32Array [port, ifindex]
   per message, results: Int32Array): how many were tried; results[i] = bytes sent or -errno. A socket closed
   already fails each with -EBADF. */
napi_value udp_send_many(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  uint32_t count = 0, n_addr = 0, n_src = 0;
  int32_t *numbers = NULL, *results = NULL;
  size_t n_numbers = 0, n_results = 0;
  if (!get_args(env, info, 6, argv)) return NULL;
  int fd = udp_fd(env, argv[0]);
  if (fd == -2) return NULL;
  if (!array_length(env, argv[1], &count) || !array_length(env, argv[2], &n_addr) || !array_length(env, argv[3], &n_src) ||
      !typed_int32(env, argv[4], &numbers, &n_numbers) || !typed_int32(env, argv[5], &results, &n_results))
    return NULL;
  if (n_addr < count || n_src < count || n_numbers < 2 * (size_t)count || n_results < count) {
    napi_throw_type_error(env, NULL, "dhcpd_net: udpSendMany arrays shorter than the batch");
    return NULL;
  }
  if (fd < 0) {
    for (uint32_t m = 0; m < count; m++) results[m] = -EBADF;
    return make_int(env, count);
  }
  tx_batch b;
  for (uint32_t base = 0; base < count; base += TX_SLOTS) {
    unsigned n = count - base < TX_SLOTS ? count - base : TX_SLOTS;
    for (unsigned slot = 0; slot < n; slot++) {
      if (udp_slot(env, &b, slot, base + slot, argv[1], argv[2], argv[3], numbers) != 0) return NULL;
    }
    send_slots(fd, &b, n, results);
  }
  return make_int(env, count);
}

/* packetSendMany(fd, datagrams: Buffer[], ifindexes: Int32Array, macs: Buffer[] (6 bytes each), results: Int32Array):
   how many were tried; results[i] = bytes sent or -errno. */
napi_value packet_send_many(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int32_t fd = -1, *ifindexes = NULL, *results = NULL;
  uint32_t count = 0, n_macs = 0;
  size_t n_if = 0, n_results = 0;
  if (!get_args(env, info, 5, argv) || !get_i32(env, argv[0], &fd) || !array_length(env, argv[1], &count) ||
      !typed_int32(env, argv[2], &ifindexes, &n_if) || !array_length(env, argv[3], &n_macs) ||
      !typed_int32(env, argv[4], &results, &n_results))
    return NULL;
  if (n_if < count || n_macs < count || n_results < count) {
    napi_throw_type_error(env, NULL, "dhcpd_net: packetSendMany arrays shorter than the batch");
    return NULL;
  }
  tx_batch b;
  for (uint32_t base = 0; base < count; base += TX_SLOTS) {
    unsigned n = count - base < TX_SLOTS ? count - base : TX_SLOTS;
    for (unsigned slot = 0; slot < n; slot++) {
      if (packet_slot(env, &b, slot, base + slot, argv[1], argv[3], ifindexes) != 0) return NULL;
    }
    send_slots(fd, &b, n, results);
  }
  return make_int(env, count);
}

/* udpSendFlat's row per message: offset and length of its bytes in the slab, destination IPv4 (host order), port,
   ifindex, source IPv4 (host order; 0 = the kernel picks). A negative length skips the message (its result is the
   caller's). */
#define TX_META_FIELDS 6

/* udpSendFlat(handle, slab: Uint8Array, meta: Int32Array, count, results: Int32Array): how many were tried;
   results[i] = bytes sent or -errno (untouched for a skipped row). A socket closed already fails each with -EBADF. */
napi_value udp_send_flat(napi_env env, napi_callback_info info) {
  napi_value argv[5];
  int32_t count = 0, *meta = NULL, *results = NULL;
  size_t n_meta = 0, n_results = 0, slab_len = 0;
  uint8_t *slab = NULL;
  napi_typedarray_type type;
  napi_value ab;
  size_t offset;
  if (!get_args(env, info, 5, argv)) return NULL;
  int fd = udp_fd(env, argv[0]);
  if (fd == -2) return NULL;
  if (napi_get_typedarray_info(env, argv[1], &type, &slab_len, (void **)&slab, &ab, &offset) != napi_ok || type != napi_uint8_array) {
    napi_throw_type_error(env, NULL, "dhcpd_net: expected a Uint8Array");
    return NULL;
  }
  if (!typed_int32(env, argv[2], &meta, &n_meta) || !get_i32(env, argv[3], &count) || !typed_int32(env, argv[4], &results, &n_results))
    return NULL;
  if (count < 0 || n_meta < (size_t)count * TX_META_FIELDS || n_results < (size_t)count) {
    napi_throw_type_error(env, NULL, "dhcpd_net: udpSendFlat arrays shorter than the batch");
    return NULL;
  }
  for (int32_t m = 0; m < count; m++) {
    const int32_t *row = meta + (size_t)m * TX_META_FIELDS;
    if (row[1] >= 0 && (row[0] < 0 || (size_t)row[0] + (size_t)row[1] > slab_len)) {
      napi_throw_range_error(env, NULL, "dhcpd_net: udpSendFlat row outside the slab");
      return NULL;
    }
  }
  if (fd < 0) {
    for (int32_t m = 0; m < count; m++) results[m] = -EBADF;
    return make_int(env, count);
  }
  tx_batch b;
  unsigned n = 0;
  for (int32_t m = 0; m < count; m++) {
    const int32_t *row = meta + (size_t)m * TX_META_FIELDS;
    if (row[1] < 0) continue;
    unsigned slot = n++;
    b.to[slot].in = (struct sockaddr_in){.sin_family = AF_INET, .sin_port = htons((uint16_t)row[3]),
                                         .sin_addr = {.s_addr = htonl((uint32_t)row[2])}};
    b.iovs[slot] = (struct iovec){.iov_base = slab + row[0], .iov_len = (size_t)row[1]};
    b.msgs[slot].msg_hdr = (struct msghdr){.msg_name = &b.to[slot].in, .msg_namelen = sizeof b.to[slot].in,
                                           .msg_iov = &b.iovs[slot], .msg_iovlen = 1};
    set_pktinfo(&b.msgs[slot].msg_hdr, b.control[slot], row[4], (struct in_addr){.s_addr = htonl((uint32_t)row[5])});
    b.msgs[slot].msg_len = 0;
    b.index[slot] = (uint32_t)m;
    if (n == TX_SLOTS) {
      send_slots(fd, &b, n, results);
      n = 0;
    }
  }
  if (n > 0) send_slots(fd, &b, n, results);
  return make_int(env, count);
}
