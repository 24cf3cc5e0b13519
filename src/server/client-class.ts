// What a client says about itself for later classification: vendor class (option 60, RFC 2132 §9.13) and user
// class (option 77, RFC 3004), read from the request without changing how it is handled.
import { getOption } from '../codec/index.js';
import type { DhcpMessage } from '../codec/types.js';

export interface ClientClass {
  /** Option 60 as text (e.g. "MSFT 5.0", "PXEClient:Arch:00000:UNDI:002001"). */
  readonly vendorClass?: string;
  /** Option 77 user classes, each as text. */
  readonly userClasses?: readonly string[];
}

/** Option 60 as latin1 text, so any byte round-trips; undefined when absent or empty. */
export function vendorClassOf(message: DhcpMessage): string | undefined {
  const data = getOption(message, 60);
  return data === undefined || data.length === 0 ? undefined : data.toString('latin1');
}

/**
 * Option 77 per RFC 3004 §4: a list of length-prefixed class names. Some clients (older Windows, iPXE) send a
 * bare string instead; when the bytes do not parse as that list, the whole value is one class.
 */
export function userClassesOf(message: DhcpMessage): string[] | undefined {
  const data = getOption(message, 77);
  if (data === undefined || data.length === 0) return undefined;
  const classes: string[] = [];
  for (let pos = 0; pos < data.length; ) {
    const len = data[pos] as number;
    if (len === 0 || pos + 1 + len > data.length) return [data.toString('latin1')];
    classes.push(data.toString('latin1', pos + 1, pos + 1 + len));
    pos += 1 + len;
  }
  return classes;
}

export function clientClassOf(message: DhcpMessage): ClientClass {
  const vendorClass = vendorClassOf(message);
  const userClasses = userClassesOf(message);
  return {
    ...(vendorClass !== undefined ? { vendorClass } : {}),
    ...(userClasses !== undefined ? { userClasses } : {}),
  };
}
