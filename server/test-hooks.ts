/**
 * Hooks for tests that need a crash at an exact moment, set only by whoever starts the process
 * (an environment variable read once at start-up). Each can only end its own process.
 */
import type { LectureStore } from './ports.js';

/**
 * TEST_HOOK_EXIT_AFTER_COMMIT=<commandId>: the store, wrapped so that the process kills itself
 * (SIGKILL, as `kill -9`) right after the event of that command id has been committed and before
 * anyone hears of it: the crash between commit and acknowledgement, made deterministic, so a
 * test can check that the retry with the same id is answered and not applied again.
 */
export function exitAfterCommit(store: LectureStore, commandId: string): LectureStore {
  const append = store.appendEvent.bind(store);
  const wrapped: LectureStore = Object.create(store);
  wrapped.appendEvent = async (lectureId, event, options) => {
    const bytes = await append(lectureId, event, options);
    if (event.commandId === commandId) process.kill(process.pid, 'SIGKILL');
    return bytes;
  };
  return wrapped;
}
