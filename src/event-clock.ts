// One clock reading per I/O event, as HAProxy's now_ms is one reading per pass of its poll loop:
// what an event handler times (%Th %Tw %Tc %Tr, rate counters, socket activity) shares the
// reading taken when the handler started instead of reading the clock each time (a handler does
// its work within microseconds; every figure it records is in milliseconds).
let eventStart = -1;
// `performance` is a getter on globalThis in Node (a call per use): the object, looked up once.
const perf = performance;

/** An event handler starts: eventNow() returns this one reading until clockEventEnd(). */
export function clockEventStart(): void {
  eventStart = perf.now();
}

export function clockEventEnd(): void {
  eventStart = -1;
}

/** Whether a handler's reading is in force (a nested handler then leaves it alone). */
export function inEvent(): boolean {
  return eventStart >= 0;
}

/** performance.now(), or the current event handler's reading. */
export function eventNow(): number {
  return eventStart >= 0 ? eventStart : perf.now();
}

/** performance.now() without the global getter. */
export function monotonicNow(): number {
  return perf.now();
}
