// Buffers that own their memory: a message kept for seconds (a client's exchange, the reply cache) must not pin a
// shared 8 KiB pool slab of Node's (~25 other packets' worth), so it is held in an exact-size buffer of its own.
// A buffer that is already the whole of its own ArrayBuffer (each datagram a transport delivers, each reply encode
// makes) is kept as it is: copying it would cost an allocation and retain exactly as much.

/** True when `buf` is the whole of its ArrayBuffer (not a view into a pool slab or a larger buffer). */
export function isWholeBuffer(buf: Uint8Array): boolean {
  return buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength;
}

/** An exact-size copy outside the pool. */
export function exactCopy(buf: Uint8Array): Buffer {
  const own = Buffer.allocUnsafeSlow(buf.length);
  own.set(buf);
  return own;
}

/** `buf` itself when it owns its memory, else an exact-size copy. Only for buffers nobody changes afterwards. */
export function ownedBytes(buf: Buffer): Buffer {
  return isWholeBuffer(buf) ? buf : exactCopy(buf);
}
