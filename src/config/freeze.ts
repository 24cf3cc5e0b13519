// Deep freeze for the compiled config, so no component can change the config another one reads.

/**
 * Freezes plain objects and arrays recursively. Buffers (option data) cannot be frozen — V8 refuses to
 * freeze typed arrays with elements — so they are left as they are; readers must not write into them.
 */
export function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value) || Object.isFrozen(value)) {
    return value;
  }
  for (const key of Reflect.ownKeys(value)) {
    deepFreeze((value as Record<PropertyKey, unknown>)[key]);
  }
  return Object.freeze(value);
}
