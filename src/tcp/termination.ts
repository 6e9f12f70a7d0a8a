// Session termination state, the two characters of the logs' %ts (HAProxy configuration.txt 8.5
// "Session state at disconnection"): who or what ended the session, then in which phase.

/**
 * First character: C client abort, S server abort or refusal, P proxy (limits, deny), L local,
 * R resource, I internal, D server down (shutdown-sessions), U backup killed, K admin kill,
 * c client timeout, s server timeout, '-' normal completion.
 */
export type TerminationCause = 'C' | 'S' | 'P' | 'L' | 'R' | 'I' | 'D' | 'U' | 'K' | 'c' | 's' | '-';

/**
 * Second character: R waiting for a request (http), Q queued, C connecting, H waiting for
 * response headers (http), D data, L last data, T tarpit, '-' normal completion.
 */
export type TerminationPhase = 'R' | 'Q' | 'C' | 'H' | 'D' | 'L' | 'T' | '-';

/**
 * The %ts text. A normal end is "--"; HAProxy sets the phase only when something went wrong
 * (src/stream.c sess_set_term_flags runs when an error flag is set).
 */
export function terminationState(cause: TerminationCause, phase: TerminationPhase): string {
  return cause === '-' ? '--' : cause + phase;
}
