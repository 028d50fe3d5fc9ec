// Local APICs (xAPIC MMIO page at 0xFEE00000, one per CPU; the accessing CPU sees its own). ID, version, TPR/PPR,
// EOI, spurious vector, ISR/IRR/TMR, ESR, LVT (timer, LINT0/1, error…), timer with divide configuration, and the
// ICR with fixed, NMI, INIT and STARTUP IPIs (SDM vol. 3A ch. 11).
import type { VirtualClock } from './clock';

export const APIC_DEFAULT_BASE = 0xfee00000;
const LVT_MASKED = 0x10000;

export interface ApicTarget {
  /** INIT IPI arrived (level assert). */
  init(): void;
  /** STARTUP IPI with the vector (CS = vector << 8, IP = 0 when waiting for SIPI). */
  startup(vector: number): void;
  nmi(): void;
  /** Fixed interrupts became pending. */
  wake(): void;
  /** The TPR was written through the APIC page (CR8 mirrors bits 7:4). */
  tprChanged(tpr: number): void;
}

export class LocalApic {
  id: number;
  tpr = 0;
  svr = 0xff;
  ldr = 0;
  dfr = 0xffffffff;
  esr = 0;
  icrLo = 0;
  icrHi = 0;
  readonly irr = new Uint32Array(8);
  readonly isr = new Uint32Array(8);
  readonly tmr = new Uint32Array(8);
  /** LVT: timer, thermal, perf, LINT0, LINT1, error (0x320..0x370). */
  readonly lvt = new Uint32Array(6).fill(LVT_MASKED);
  timerInitial = 0;
  timerDivide = 0;
  timerStartNs = 0;
  /** Virtual time of the next timer interrupt (Infinity when none). */
  timerDeadline = Infinity;
  /** Hardware enable (IA32_APIC_BASE.EN). */
  globalEnable = true;

  constructor(
    readonly cpuIndex: number,
    private readonly system: ApicSystem,
  ) {
    this.id = cpuIndex;
  }

  get softwareEnabled(): boolean {
    return (this.svr & 0x100) !== 0 && this.globalEnable;
  }

  /** Resets to the power-on/INIT state (ID kept). */
  reset(): void {
    this.tpr = 0;
    this.svr = 0xff;
    this.ldr = 0;
    this.dfr = 0xffffffff;
    this.esr = 0;
    this.icrLo = this.icrHi = 0;
    this.irr.fill(0);
    this.isr.fill(0);
    this.tmr.fill(0);
    this.lvt.fill(LVT_MASKED);
    this.timerInitial = 0;
    this.timerDivide = 0;
    this.timerDeadline = Infinity;
  }

  private static highest(bits: Uint32Array): number {
    for (let w = 7; w >= 0; w--) if (bits[w] !== 0) return w * 32 + 31 - Math.clz32(bits[w]);
    return -1;
  }

  /** Processor priority: max(TPR, class of the highest in-service vector). */
  get ppr(): number {
    const isrv = LocalApic.highest(this.isr);
    const isrClass = isrv < 0 ? 0 : isrv & 0xf0;
    return (this.tpr & 0xf0) >= isrClass ? this.tpr & 0xff : isrClass;
  }

  /** A fixed interrupt is deliverable to the CPU (IF is the CPU's business). */
  hasPending(): boolean {
    const v = LocalApic.highest(this.irr);
    return v >= 0 && (v & 0xf0) > (this.ppr & 0xf0);
  }

  acknowledge(): number {
    const v = LocalApic.highest(this.irr);
    if (v < 0 || (v & 0xf0) <= (this.ppr & 0xf0)) return this.svr & 0xff; // spurious
    this.irr[v >>> 5] &= ~(1 << (v & 31));
    this.isr[v >>> 5] |= 1 << (v & 31);
    return v;
  }

  /** Accepts a fixed-mode interrupt. */
  accept(vector: number, level = false): void {
    this.system.onChange?.();
    if (vector < 16) {
      this.esr |= 0x40; // received illegal vector
      return;
    }
    this.irr[vector >>> 5] |= 1 << (vector & 31);
    if (level) this.tmr[vector >>> 5] |= 1 << (vector & 31);
    else this.tmr[vector >>> 5] &= ~(1 << (vector & 31));
    this.system.target(this.cpuIndex).wake();
  }

  private eoi(): void {
    const v = LocalApic.highest(this.isr);
    if (v >= 0) this.isr[v >>> 5] &= ~(1 << (v & 31));
  }

  private divisor(): number {
    const d = ((this.timerDivide & 8) >> 1) | (this.timerDivide & 3);
    return d === 7 ? 1 : 2 << d;
  }

  private currentCount(): number {
    if (this.timerInitial === 0 || this.timerDeadline === Infinity && (this.lvt[0] & 0x20000) === 0 && this.timerElapsed() >= this.timerInitial) return 0;
    const t = this.timerElapsed();
    if (this.lvt[0] & 0x20000) return this.timerInitial - (t % this.timerInitial);
    return t >= this.timerInitial ? 0 : this.timerInitial - t;
  }

  private timerElapsed(): number {
    return Math.floor((this.system.clock.now - this.timerStartNs) / this.divisor());
  }

  private armTimer(): void {
    if (this.timerInitial === 0) {
      this.timerDeadline = Infinity;
      return;
    }
    this.timerDeadline = this.timerStartNs + this.timerInitial * this.divisor();
  }

  /** Called when the clock reaches timerDeadline. */
  timerFired(): void {
    const lvt = this.lvt[0];
    if (!(lvt & LVT_MASKED) && this.softwareEnabled) this.accept(lvt & 0xff);
    if (lvt & 0x20000) {
      this.timerStartNs = this.timerDeadline;
      this.armTimer();
    } else this.timerDeadline = Infinity;
  }

  read(offset: number): number {
    const r = offset & 0xff0;
    switch (r) {
      case 0x20: return (this.id & 0xff) << 24;
      case 0x30: return 0x00050014; // version 0x14, 6 LVT entries
      case 0x80: return this.tpr;
      case 0x90: return 0;
      case 0xa0: return this.ppr;
      case 0xd0: return this.ldr;
      case 0xe0: return this.dfr;
      case 0xf0: return this.svr;
      case 0x280: return this.esr;
      case 0x300: return this.icrLo & ~0x1000; // delivery status: always idle
      case 0x310: return this.icrHi;
      case 0x380: return this.timerInitial;
      case 0x390: return this.currentCount() >>> 0;
      case 0x3e0: return this.timerDivide;
    }
    if (r >= 0x100 && r < 0x180) return this.isr[(r - 0x100) >> 4];
    if (r >= 0x180 && r < 0x200) return this.tmr[(r - 0x180) >> 4];
    if (r >= 0x200 && r < 0x280) return this.irr[(r - 0x200) >> 4];
    if (r >= 0x320 && r <= 0x370) return this.lvt[(r - 0x320) >> 4];
    return 0;
  }

  write(offset: number, v: number): void {
    v >>>= 0;
    const r = offset & 0xff0;
    switch (r) {
      case 0x20: this.id = v >>> 24; return;
      case 0x80:
        this.tpr = v & 0xff;
        this.system.target(this.cpuIndex).tprChanged(this.tpr);
        return;
      case 0xb0: this.eoi(); return;
      case 0xd0: this.ldr = v & 0xff000000; return;
      case 0xe0: this.dfr = v | 0x0fffffff; return;
      case 0xf0:
        this.svr = v & 0x13ff;
        if (!(v & 0x100)) for (let i = 0; i < 6; i++) this.lvt[i] |= LVT_MASKED;
        return;
      case 0x280: this.esr = 0; return;
      case 0x310: this.icrHi = v & 0xff000000; return;
      case 0x300:
        this.icrLo = v & 0xfffff;
        this.system.sendIpi(this, this.icrLo, this.icrHi >>> 24);
        return;
      case 0x380:
        this.timerInitial = v;
        this.timerStartNs = this.system.clock.now;
        this.armTimer();
        this.system.timersChanged();
        return;
      case 0x3e0: this.timerDivide = v & 0xb; return;
    }
    if (r >= 0x320 && r <= 0x370) {
      const i = (r - 0x320) >> 4;
      this.lvt[i] = this.softwareEnabled ? v : v | LVT_MASKED;
    }
  }
}

/** All local APICs of the machine: MMIO dispatch to the current CPU's APIC and IPI routing. */
export class ApicSystem {
  readonly apics: LocalApic[] = [];
  /** Index of the CPU whose instruction is executing (MMIO goes to its APIC). */
  current = 0;
  onIpi: ((from: number, to: number, kind: 'init' | 'sipi' | 'nmi' | 'fixed', vector: number) => void) | null = null;
  /** Told when what an APIC could deliver may have changed (register writes, accepted interrupts). */
  onChange: (() => void) | null = null;

  constructor(
    readonly clock: VirtualClock,
    private readonly targets: ApicTarget[],
    readonly timersChanged: () => void,
  ) {
    for (let i = 0; i < targets.length; i++) this.apics.push(new LocalApic(i, this));
  }

  target(i: number): ApicTarget {
    return this.targets[i];
  }

  /** Earliest timer deadline of any APIC. */
  nextDeadline(): number {
    let d = Infinity;
    for (const a of this.apics) if (a.timerDeadline < d) d = a.timerDeadline;
    return d;
  }

  fireTimers(now: number): void {
    for (const a of this.apics) if (a.timerDeadline <= now) a.timerFired();
  }

  /** MMIO device for the 4 KiB register page. */
  readonly mmio = {
    read: (offset: number, size: 1 | 2 | 4): number => {
      const v = this.apics[this.current].read(offset & ~3);
      const shift = (offset & 3) * 8;
      return size === 4 ? v >>> 0 : (v >>> shift) & (size === 1 ? 0xff : 0xffff);
    },
    write: (offset: number, size: 1 | 2 | 4, value: number): void => {
      this.onChange?.();
      if (size !== 4 || offset & 3) return; // the APIC only accepts aligned 32-bit writes
      this.apics[this.current].write(offset, value);
    },
  };

  sendIpi(from: LocalApic, icr: number, dest: number): void {
    const mode = (icr >> 8) & 7;
    const logical = (icr & 0x800) !== 0;
    const level = (icr & 0x4000) !== 0;
    const trigger = (icr & 0x8000) !== 0;
    const shorthand = (icr >> 18) & 3;
    const vector = icr & 0xff;
    for (const a of this.apics) {
      let hit: boolean;
      if (shorthand === 1) hit = a === from;
      else if (shorthand === 2) hit = true;
      else if (shorthand === 3) hit = a !== from;
      else if (logical) hit = dest === 0xff || ((a.ldr >>> 24) & dest) !== 0;
      else hit = dest === 0xff || a.id === dest;
      if (!hit) continue;
      const t = this.targets[a.cpuIndex];
      switch (mode) {
        case 0:
        case 1:
          a.accept(vector, trigger);
          this.onIpi?.(from.cpuIndex, a.cpuIndex, 'fixed', vector);
          break;
        case 4:
          t.nmi();
          this.onIpi?.(from.cpuIndex, a.cpuIndex, 'nmi', 2);
          break;
        case 5:
          if (trigger && !level) break; // INIT level de-assert: no effect on modern CPUs
          a.reset();
          t.init();
          this.onIpi?.(from.cpuIndex, a.cpuIndex, 'init', 0);
          break;
        case 6:
          t.startup(vector);
          this.onIpi?.(from.cpuIndex, a.cpuIndex, 'sipi', vector);
          break;
      }
    }
  }
}
