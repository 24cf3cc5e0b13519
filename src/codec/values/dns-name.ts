// DNS names in options: RFC 1035 §3.1 wire labels, §4.1.4 compression; used by 119 (RFC 3397) and 81 (RFC 4702).
import { badValue, expected } from './problem.js';

const MAX_LABEL = 63;
const MAX_WIRE_NAME = 255;
/** RFC 1035 §4.1.4: a pointer is 14 bits of offset. */
const MAX_POINTER = 0x3fff;

function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 95;
}

/**
 * Splits a name into labels (a trailing dot is allowed and dropped; "." is the root: no labels). Labels are
 * 1..63 letters, digits, "-" or "_"; the whole name must fit the 255-byte wire limit.
 */
export function splitName(name: string): string[] {
  const text = name.endsWith('.') ? name.slice(0, -1) : name;
  if (text.length === 0) return [];
  const labels = text.split('.');
  let wire = 1;
  for (const label of labels) {
    if (label.length === 0) throw badValue(`domain name ${JSON.stringify(name)} has an empty label`);
    if (label.length > MAX_LABEL) throw badValue(`label "${label.slice(0, 20)}..." is longer than 63 characters`);
    for (let i = 0; i < label.length; i++) {
      if (!isLabelChar(label.charCodeAt(i))) {
        throw badValue(`domain name ${JSON.stringify(name)} has a character other than letters, digits, "-" or "_"`);
      }
    }
    wire += label.length + 1;
  }
  if (wire > MAX_WIRE_NAME) throw badValue(`domain name ${JSON.stringify(name)} is longer than 255 bytes on the wire`);
  return labels;
}

function pushLabel(out: number[], label: string): void {
  out.push(label.length);
  for (let i = 0; i < label.length; i++) out.push(label.charCodeAt(i));
}

/** RFC 3397 §2: a list of names, compressed against earlier names; pointers count from the option data start. */
export function encodeDomainList(value: unknown): Buffer {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) throw expected('a non-empty list of domain names', value);
  const out: number[] = [];
  const suffixes = new Map<string, number>();
  for (const name of list as unknown[]) {
    if (typeof name !== 'string') throw expected('a domain name', name);
    const labels = splitName(name);
    if (labels.length === 0) throw expected('a domain name, not the root', name);
    let pointed = false;
    for (let i = 0; i < labels.length && !pointed; i++) {
      const suffix = labels.slice(i).join('.');
      const at = suffixes.get(suffix);
      if (at !== undefined) {
        out.push(0xc0 | (at >> 8), at & 0xff);
        pointed = true;
      } else {
        if (out.length <= MAX_POINTER) suffixes.set(suffix, out.length);
        pushLabel(out, labels[i] as string);
      }
    }
    if (!pointed) out.push(0);
  }
  return Buffer.from(out);
}

/**
 * Reads the name starting at `start`; returns it (no trailing dot; "." for the root) and where the next name
 * starts. A compression pointer must point before every position this name has used so far, which rules out
 * loops and forward references and so bounds the walk.
 */
function readName(data: Buffer, start: number): [string, number] {
  const labels: string[] = [];
  let pos = start;
  let limit = start;
  let next = -1;
  let wire = 1;
  for (;;) {
    if (pos >= data.length) throw badValue(`domain name at offset ${start} runs past the end of the option`);
    const len = data[pos] as number;
    if (len === 0) {
      if (next < 0) next = pos + 1;
      return [labels.length === 0 ? '.' : labels.join('.'), next];
    }
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= data.length) throw badValue(`compression pointer at offset ${pos} is cut short`);
      const target = ((len & 0x3f) << 8) | (data[pos + 1] as number);
      if (target >= limit) {
        throw badValue(`compression pointer at offset ${pos} to ${target} does not point to an earlier name (loop?)`);
      }
      if (next < 0) next = pos + 2;
      limit = target;
      pos = target;
      continue;
    }
    if (len > MAX_LABEL) throw badValue(`label type ${len >> 6} at offset ${pos} is reserved`);
    if (pos + 1 + len > data.length) throw badValue(`label at offset ${pos} runs past the end of the option`);
    wire += len + 1;
    if (wire > MAX_WIRE_NAME) throw badValue(`domain name at offset ${start} is longer than 255 bytes`);
    const label = data.toString('latin1', pos + 1, pos + 1 + len);
    if (label.includes('.')) throw badValue(`label at offset ${pos} contains a dot`);
    labels.push(label);
    pos += 1 + len;
  }
}

export function decodeDomainList(data: Buffer): string[] {
  if (data.length === 0) throw badValue('a domain search list needs at least one name');
  const names: string[] = [];
  for (let pos = 0; pos < data.length; ) {
    const [name, next] = readName(data, pos);
    names.push(name);
    pos = next;
  }
  return names;
}

/**
 * RFC 4702 §2.3.1 canonical wire form, no compression: "host.example.com." (trailing dot) is fully qualified and
 * ends with the root label; "host" (no dot) is a partial name and has none.
 */
export function encodeCanonicalName(name: string): Buffer {
  const labels = splitName(name);
  const out: number[] = [];
  for (const label of labels) pushLabel(out, label);
  if (name.endsWith('.')) out.push(0);
  return Buffer.from(out);
}

export function decodeCanonicalName(data: Buffer): string {
  const labels: string[] = [];
  for (let pos = 0; pos < data.length; ) {
    const len = data[pos] as number;
    if (len === 0) {
      if (pos + 1 !== data.length) throw badValue(`bytes follow the root label at offset ${pos}`);
      return labels.length === 0 ? '.' : `${labels.join('.')}.`;
    }
    if (len > MAX_LABEL) throw badValue(`label type ${len >> 6} at offset ${pos} is not allowed in a canonical name`);
    if (pos + 1 + len > data.length) throw badValue(`label at offset ${pos} runs past the end of the option`);
    const label = data.toString('latin1', pos + 1, pos + 1 + len);
    if (label.includes('.')) throw badValue(`label at offset ${pos} contains a dot`);
    labels.push(label);
    pos += 1 + len;
  }
  return labels.join('.');
}
