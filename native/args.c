// Argument conversion for the addon's entry points: JS values -> C, with TypeErrors for programmer errors.
#include "common.h"

#include <arpa/inet.h>

napi_value make_int(napi_env env, int64_t v) {
  napi_value out = NULL;
  napi_create_int64(env, v, &out);
  return out;
}

int get_args(napi_env env, napi_callback_info info, size_t want, napi_value *argv) {
  size_t argc = want;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < want) {
    napi_throw_type_error(env, NULL, "dhcpd_net: missing arguments");
    return 0;
  }
  return 1;
}

int get_i32(napi_env env, napi_value v, int32_t *out) {
  if (napi_get_value_int32(env, v, out) != napi_ok) {
    napi_throw_type_error(env, NULL, "dhcpd_net: expected a number");
    return 0;
  }
  return 1;
}

int get_ipv4(napi_env env, napi_value v, struct in_addr *out) {
  char text[INET_ADDRSTRLEN] = {0};
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, text, sizeof text, &len) != napi_ok) {
    napi_throw_type_error(env, NULL, "dhcpd_net: expected an IPv4 address string");
    return 0;
  }
  if (len == 0) {
    out->s_addr = htonl(INADDR_ANY);
    return 1;
  }
  if (inet_pton(AF_INET, text, out) != 1) {
    napi_throw_type_error(env, NULL, "dhcpd_net: invalid IPv4 address");
    return 0;
  }
  return 1;
}

int get_buffer(napi_env env, napi_value v, void **data, size_t *len) {
  if (napi_get_buffer_info(env, v, data, len) != napi_ok) {
    napi_throw_type_error(env, NULL, "dhcpd_net: expected a Buffer");
    return 0;
  }
  return 1;
}
