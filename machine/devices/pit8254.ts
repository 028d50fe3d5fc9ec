// The 8254 programmable interval timer (ports 0x40-0x43) and PC port B (0x61: gate 2, speaker, OUT2).
// Channel 0 drives IRQ 0; counting follows the virtual clock so runs are repeatable.
import type { VirtualClock } from './clock';
import type { PortDevice } from './iobus';

export const PIT_HZ = 1193182;

class Channel {
  mode = 0;
  /** 1 = LSB only, 2 = MSB only, 3 = LSB then MSB. */
  access = 3;
  reload = 0x10000;
  startNs = 0;
  armed = false;
  gate = true;
  latched = -1;
  latchHighNext = false;
  writeHighNext = false;
  readHighNext = false;
  pendingLow = 0;
  bcd = false;
}

export class Pit8254 implements PortDevice {
  private readonly ch = [new Channel(), new Channel(), new Channel()];
  private speaker = 0;
  /** Virtual time of the next IRQ 0 edge (Infinity when none). */
  nextIrqNs = Infinity;

  /** Told whenever nextIrqNs may have changed (the machine caches the earliest timer deadline). */
  onSchedule: (() => void) | null = null;

  constructor(private readonly clock: VirtualClock, private readonly irq0: () => void) {
    this.ch[2].gate = false;
  }

  private ticksSince(c: Channel): number {
    return Math.floor(((this.clock.now - c.startNs) * PIT_HZ) / 1e9);
  }

  private count(c: Channel): number {
    if (!c.armed) return c.reload & 0xffff;
    const t = this.ticksSince(c);
    if (c.mode === 2 || c.mode === 3) return (c.reload - (t % c.reload)) & 0xffff;
    return (c.reload - t) & 0xffff;
  }

  private out(c: Channel): boolean {
    if (!c.armed) return c.mode !== 0;
    const t = this.ticksSince(c);
    if (c.mode === 0 || c.mode === 1) return t >= c.reload;
    if (c.mode === 3) return t % c.reload < c.reload / 2;
    return t % c.reload !== c.reload - 1;
  }

  private schedule(): void {
    this.computeNext();
    this.onSchedule?.();
  }

  private computeNext(): void {
    const c = this.ch[0];
    if (!c.armed) {
      this.nextIrqNs = Infinity;
      return;
    }
    const periodNs = (c.reload * 1e9) / PIT_HZ;
    if (c.mode === 2 || c.mode === 3) {
      const k = Math.floor((this.clock.now - c.startNs) / periodNs) + 1;
      this.nextIrqNs = c.startNs + k * periodNs;
    } else {
      const at = c.startNs + periodNs;
      this.nextIrqNs = at > this.clock.now ? at : Infinity;
    }
  }

  /** Called by the machine when the clock passes nextIrqNs. */
  tick(): void {
    if (this.clock.now >= this.nextIrqNs) {
      this.irq0();
      this.schedule();
      if (this.ch[0].mode !== 2 && this.ch[0].mode !== 3) this.nextIrqNs = Infinity;
    }
  }

  portRead(port: number): number {
    if (port === 0x61) {
      const c2 = this.ch[2];
      const refresh = Math.floor(this.clock.now / 15000) & 1; // refresh toggles every ~15 µs
      return (this.speaker & 3) | (refresh << 4) | (this.out(c2) ? 0x20 : 0);
    }
    if (port === 0x43) return 0xff;
    const c = this.ch[port - 0x40];
    const v = c.latched >= 0 ? c.latched : this.count(c);
    let r: number;
    if (c.access === 1) r = v & 0xff;
    else if (c.access === 2) r = (v >> 8) & 0xff;
    else {
      r = c.readHighNext ? (v >> 8) & 0xff : v & 0xff;
      c.readHighNext = !c.readHighNext;
      if (c.readHighNext) return r;
    }
    c.latched = -1;
    return r;
  }

  portWrite(port: number, _size: 1 | 2 | 4, value: number): void {
    const v = value & 0xff;
    if (port === 0x61) {
      this.speaker = v & 3;
      const c2 = this.ch[2];
      const gate = (v & 1) !== 0;
      if (gate && !c2.gate) c2.startNs = this.clock.now; // rising gate restarts counting
      c2.gate = gate;
      return;
    }
    if (port === 0x43) {
      const sel = v >> 6;
      if (sel === 3) return; // read-back command: not needed by boot code
      const c = this.ch[sel];
      const access = (v >> 4) & 3;
      if (access === 0) {
        c.latched = this.count(c);
        c.readHighNext = false;
        return;
      }
      c.access = access;
      c.mode = (v >> 1) & 7;
      if (c.mode > 5) c.mode -= 4;
      c.bcd = (v & 1) !== 0;
      c.armed = false;
      c.writeHighNext = false;
      c.readHighNext = false;
      if (sel === 0) this.schedule();
      return;
    }
    const idx = port - 0x40;
    const c = this.ch[idx];
    let reload: number;
    if (c.access === 1) reload = v;
    else if (c.access === 2) reload = v << 8;
    else if (!c.writeHighNext) {
      c.pendingLow = v;
      c.writeHighNext = true;
      return;
    } else {
      c.writeHighNext = false;
      reload = c.pendingLow | (v << 8);
    }
    c.reload = reload === 0 ? 0x10000 : reload;
    c.startNs = this.clock.now;
    c.armed = true;
    if (idx === 0) this.schedule();
  }
}
