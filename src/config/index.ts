// Public API of the config layer: load, parse, check, and the compiled domain types.
export type { AddressRange, Reservation, ServerConfig, StoreConfig, Subnet } from './types.js';
export type { ConfigResult } from './compile.js';
export { compileConfig } from './compile.js';
export type { ConfigIssue } from './issues.js';
export { formatConfigIssues, formatPath } from './issues.js';
export type { ParseOptions } from './load.js';
export { checkConfigFile, loadConfigFile, parseConfig } from './load.js';
export { ConfigSchema } from './schema.js';
export type { WireConfig } from './schema.js';
export { configJsonSchema, configJsonSchemaText } from './json-schema.js';
