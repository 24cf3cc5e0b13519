// Fixed layout of a BOOTP/DHCP message (RFC 2131 §2, figure 1) and the option codes the codec itself handles.

export const OP_OFFSET = 0;
export const XID_OFFSET = 4;
export const SECS_OFFSET = 8;
export const FLAGS_OFFSET = 10;
export const CIADDR_OFFSET = 12;
export const YIADDR_OFFSET = 16;
export const SIADDR_OFFSET = 20;
export const GIADDR_OFFSET = 24;
export const CHADDR_OFFSET = 28;
export const CHADDR_LEN = 16;
export const SNAME_OFFSET = 44;
export const SNAME_LEN = 64;
export const FILE_OFFSET = 108;
export const FILE_LEN = 128;
export const COOKIE_OFFSET = 236;
export const OPTIONS_OFFSET = 240;

/** RFC 2131 §3: 99.130.83.99 in network order. */
export const MAGIC_COOKIE = 0x63825363;

/** RFC 1542 §2.1: relay agents may drop BOOTP messages shorter than 300 bytes. */
export const MIN_MESSAGE_SIZE = 300;

/** RFC 2131 §2: every client accepts a 312-byte options field, so a 548-byte message (576-byte datagram). */
export const MIN_PAYLOAD_LIMIT = 548;

export const OPT_PAD = 0;
export const OPT_END = 255;
export const OPT_OVERLOAD = 52;
export const OPT_MESSAGE_TYPE = 53;
export const OPT_SERVER_ID = 54;

/** RFC 2132 §9.3 option 52 values. */
export const OVERLOAD_FILE = 1;
export const OVERLOAD_SNAME = 2;
export const OVERLOAD_BOTH = 3;

/** RFC 3396: one option instance carries at most 255 bytes of data. */
export const MAX_INSTANCE_LEN = 255;
