// The DISCOVER lane's classifier (see udp.c, udpOpenFlat's discoverQueueBytes): the DHCP port's datagrams are split
// between two sockets of one SO_REUSEPORT group, so that a storm of DISCOVERs (new work) waits in a queue of its own
// and can neither delay nor push out of the kernel's queue a REQUEST, RELEASE, DECLINE or INFORM (work already
// invested in, or a bound client's renewal).
//
// A DISCOVER is recognised by its first option: the magic cookie, then option 53 of length 1 and value 1. RFC 2131
// does not require option 53 to come first, but the clients met in practice put it there (ISC dhclient, busybox
// udhcpc, dhcpcd, systemd-networkd, Windows, perfdhcp); a DISCOVER that does not simply takes the main queue, as
// every datagram did before the lane. Anything short or malformed takes the main queue too, where the decoder counts
// and logs it.
//
// A classic BPF program chooses the socket of a unicast (from a relay, or a renewing client): it returns the socket's
// index in the group (the main socket, bound first: 0; the lane: 1). A broadcast goes to every socket bound to the
// port whatever the group, so each socket's reader keeps only its share of those (lane_is_discover, after the
// receive). Not socket filters: a datagram one drops counts in the socket's drop count (SO_RXQ_OVFL) like one its full
// queue drops, and that count must say when the queue overflows (overload control reads it; operators do too).
#include "common.h"

#include <errno.h>
#include <linux/filter.h>
#include <sys/socket.h>

/* Offsets in the DHCP message (RFC 2131 §3): the magic cookie at 236, the first option's code at 240, its length at
   241 and its value at 242. */
#define COOKIE_AT 236
#define FIRST_OPTION_AT 240
#define FIRST_VALUE_AT 242
#define MAGIC_COOKIE 0x63825363u
#define MESSAGE_TYPE 53
#define DISCOVER 1
#define MAIN_SOCKET 0
#define LANE_SOCKET 1

int lane_steer_discovers(int fd) {
  /* The program sees the packet from the UDP payload on; a load past its end ends the program with 0 (the main
     socket). The jumps skip to the last instruction. */
  struct sock_filter code[] = {
      {BPF_LD | BPF_W | BPF_ABS, 0, 0, COOKIE_AT},
      {BPF_JMP | BPF_JEQ | BPF_K, 0, 5, MAGIC_COOKIE},
      {BPF_LD | BPF_H | BPF_ABS, 0, 0, FIRST_OPTION_AT}, /* code and length, big-endian */
      {BPF_JMP | BPF_JEQ | BPF_K, 0, 3, (MESSAGE_TYPE << 8) | 1},
      {BPF_LD | BPF_B | BPF_ABS, 0, 0, FIRST_VALUE_AT},
      {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, DISCOVER},
      {BPF_RET | BPF_K, 0, 0, LANE_SOCKET},
      {BPF_RET | BPF_K, 0, 0, MAIN_SOCKET},
  };
  struct sock_fprog program = {.len = sizeof code / sizeof code[0], .filter = code};
  return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &program, sizeof program) < 0 ? -errno : 0;
}

int lane_is_discover(const unsigned char *m, size_t length) {
  return length > FIRST_VALUE_AT &&
         ((uint32_t)m[COOKIE_AT] << 24 | (uint32_t)m[COOKIE_AT + 1] << 16 | (uint32_t)m[COOKIE_AT + 2] << 8 |
          m[COOKIE_AT + 3]) == MAGIC_COOKIE &&
         m[FIRST_OPTION_AT] == MESSAGE_TYPE && m[FIRST_OPTION_AT + 1] == 1 && m[FIRST_VALUE_AT] == DISCOVER;
}
