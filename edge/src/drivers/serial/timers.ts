/**
 * Poll and retry timers must not keep the gateway process alive on their own (the broker and the
 * forwarder do that); `Clock` hides the handle type, so unref it where the handle is a Node timer.
 */
export function unref(handle: unknown): unknown {
  (handle as { unref?: () => void } | undefined)?.unref?.();
  return handle;
}
