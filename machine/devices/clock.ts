// Deterministic virtual time: one nanosecond per scheduling round (each running CPU executes one instruction per
// round), so timer interrupts arrive at the same instruction on every run.

export class VirtualClock {
  /** Nanoseconds since power-on. */
  now = 0;
}

export const NS_PER_SECOND = 1e9;
