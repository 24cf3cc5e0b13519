// Leftovers named after the process that made them (the warm-up's scratch directories, the tests' namespaces) are
// removed once that process is gone.

/** Whether a process of that pid runs (EPERM: it does, as another user's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
