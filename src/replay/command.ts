// `actor-dhcpd replay CAPTURE --config FILE [--compare]`: JSON lines on stdout; a bad capture or config is one
// clear error (with the record number for a capture) and exit 1.
import { readFile } from 'node:fs/promises';
import { loadConfigFile } from '../config/index.js';
import { ConfigError, DhcpdError } from '../errors.js';
import { parseArgs, type CommandResult } from '../visualizer/commands.js';
import { readCapture } from './capture.js';
import { replay } from './replay.js';

export async function replayCommand(args: readonly string[], write: (text: string) => void): Promise<CommandResult> {
  const { positional, flags } = parseArgs(args);
  const capture = positional[0];
  const configFile = flags.get('config');
  if (capture === undefined || positional.length > 1 || configFile === undefined || configFile === '') {
    return { code: 2, stderr: 'usage: actor-dhcpd replay CAPTURE --config FILE [--compare]\n' };
  }
  try {
    const config = await loadConfigFile(configFile);
    const datagrams = readCapture(await readFile(capture));
    await replay({ config, datagrams, compare: flags.has('compare'), emit: (line) => write(`${line}\n`) });
    return { code: 0 };
  } catch (error) {
    if (error instanceof ConfigError) {
      const issues = (error.details.issues as { path: string; message: string }[] | undefined) ?? [];
      return { code: 1, stderr: [`${error.code}: ${error.message}`, ...issues.map((i) => `${i.path}: ${i.message}`)].join('\n') + '\n' };
    }
    if (error instanceof DhcpdError) return { code: 1, stderr: `${error.code}: ${error.message}\n` };
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return { code: 1, stderr: `cannot read ${capture}: ${code}\n` };
    throw error;
  }
}
