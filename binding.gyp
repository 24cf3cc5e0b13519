{
  "targets": [
    {
      "target_name": "actor_dhcpd_net",
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/addon.c", "native/args.c", "native/udp.c", "native/lane.c", "native/send.c", "native/packet.c", "native/icmp.c"],
          "cflags": ["-Wall", "-Wextra", "-std=gnu11"],
          "cflags!": ["-fno-exceptions"]
        }]
      ]
    }
  ]
}
