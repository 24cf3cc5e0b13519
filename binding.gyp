{
  "targets": [
    {
      "target_name": "actor_dhcpd_net",
      "conditions": [
        ["OS=='linux'", {
          "sources": ["native/dhcpd_net.c"],
          "cflags": ["-Wall", "-Wextra", "-std=gnu11"],
          "cflags!": ["-fno-exceptions"]
        }]
      ]
    }
  ]
}
