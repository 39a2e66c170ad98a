// Teardown on SIGINT/SIGTERM: every started thing registers a cleanup here; the first signal runs them
// all (newest first) and then exits with the conventional code. A second signal exits at once.

type Cleanup = () => Promise<unknown>;

const cleanups = new Set<Cleanup>();
let installed = false;
let shuttingDown = false;

const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

async function runCleanups(): Promise<void> {
  // Newest first, until none is left (a cleanup may finish a start that registered another one).
  for (let next = [...cleanups].at(-1); next !== undefined; next = [...cleanups].at(-1)) {
    cleanups.delete(next);
    try {
      await next();
    } catch (error) {
      process.stderr.write(`cms-ha-chaos: cleanup failed during shutdown: ${(error as Error).message}\n`);
    }
  }
}

function onSignal(signal: 'SIGINT' | 'SIGTERM'): void {
  if (shuttingDown) {
    process.stderr.write(`cms-ha-chaos: ${signal} again, exiting without waiting for teardown\n`);
    process.exit(SIGNAL_EXIT[signal]);
  }
  shuttingDown = true;
  process.stderr.write(`\ncms-ha-chaos: ${signal} received, tearing down ${cleanups.size} topology(ies)...\n`);
  void runCleanups().finally(() => process.exit(SIGNAL_EXIT[signal]));
}

/** True once a signal started the teardown: nothing new may start then. */
export function isShuttingDown(): boolean {
  return shuttingDown;
}

/** Registers a cleanup to run on SIGINT/SIGTERM; returns a function that unregisters it. */
export function onShutdown(cleanup: Cleanup): () => void {
  if (!installed) {
    installed = true;
    process.on('SIGINT', () => onSignal('SIGINT'));
    process.on('SIGTERM', () => onSignal('SIGTERM'));
  }
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
