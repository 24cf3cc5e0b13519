// A file replaced whole or not at all: written to a temporary file, synced, renamed over the old one, and the
// directory synced, so a crash leaves the old content or the new, never a mix (the snapshot and its delta file).
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function writeFileAtomically(path: string, chunks: readonly Uint8Array[]): Promise<void> {
  const tmp = `${path}.tmp`;
  const file = await open(tmp, 'w', 0o600);
  try {
    await file.writev([...chunks]);
    await file.sync();
  } catch (error) {
    await file.close().catch(() => undefined);
    await rm(tmp, { force: true });
    throw error;
  }
  await file.close();
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
