/**
 * Runs `callback` once the browser is idle, or after `timeoutMs` at the latest; at once (next task)
 * where there is no requestIdleCallback (Safari). Returns a function that cancels it.
 */
export function whenIdle(window: Window | null, callback: () => void, timeoutMs: number): () => void {
  if (window?.requestIdleCallback) {
    const handle = window.requestIdleCallback(callback, { timeout: timeoutMs });
    return () => window.cancelIdleCallback(handle);
  }
  const timer = setTimeout(callback, 0);
  return () => clearTimeout(timer);
}
