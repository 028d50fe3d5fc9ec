// Process CPU time for the benchmarks (no other imports: bench drivers bundle it).

/** CPU time of this process so far (all threads, the garbage collector's included), in ms. */
export function ownCpu(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
