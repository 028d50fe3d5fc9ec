// A small built-in BIOS for the boot-sector start: the IVT points every vector at F000:E000+vector, and when a CPU
// reaches one of those addresses in real mode the machine runs the service here instead of guest code, then
// returns like the BIOS's IRET (with CF/ZF results in the caller's FLAGS image). Services: INT 10h teletype and
// string output, INT 11h/12h, INT 13h disk reads from the image (CHS and LBA extensions), INT 15h E820 map, A20
// and memory sizes, INT 16h keyboard, INT 1Ah ticks, and the IRQ handlers (tick count, EOI).
import type { Cpu } from './cpu/cpu';
import { iret } from './cpu/interrupts';
import { ES, DS, SS } from './cpu/segment';
import { RAX, RBX, RCX, RDX, RSI, RDI, RSP, RBP } from './cpu/state';

export const BIOS_STUB_SEGMENT = 0xf000;
export const BIOS_STUB_OFFSET = 0xe000;

const HEADS = 16, SECTORS = 63;

export interface BiosHost {
  output(byte: number): void;
  setA20(on: boolean): void;
  getA20(): boolean;
  nowNs(): number;
  lowRamEnd: number;
  highRamBytes: number;
  pic(port: number, value: number): void;
  keyboardPort(): number;
}

export class StubBios {
  /** Keys typed by the host: AX values (scan code << 8 | ASCII). */
  readonly keys: number[] = [];

  constructor(private readonly disk: Uint8Array, private readonly host: BiosHost) {}

  private ah(c: Cpu): number {
    return (c.gprLo[RAX] >>> 8) & 0xff;
  }
  private set16(c: Cpu, r: number, v: number): void {
    c.gprLo[r] = ((c.gprLo[r] & 0xffff0000) | (v & 0xffff)) >>> 0;
  }
  private setAh(c: Cpu, v: number): void {
    c.gprLo[RAX] = ((c.gprLo[RAX] & ~0xff00) | ((v & 0xff) << 8)) >>> 0;
  }

  /**
   * Runs the service for `vector` with the caller's frame (IP, CS, FLAGS) on the stack, then returns to it.
   * Returns false when the call must be repeated later (INT 16h waiting for a key): IP stays at the stub.
   */
  call(c: Cpu, vector: number): boolean {
    let cf: boolean | undefined;
    let zf: boolean | undefined;
    const ah = this.ah(c);
    switch (vector) {
      case 0x08: {
        const ticks = c.memory.read32(0x46c) + 1;
        c.memory.write32(0x46c, ticks >>> 0);
        this.host.pic(0x20, 0x20);
        break;
      }
      case 0x09:
        this.host.keyboardPort();
        this.host.pic(0x20, 0x20);
        break;
      case 0x10:
        if (ah === 0x0e) this.host.output(c.gprLo[RAX] & 0xff);
        else if (ah === 0x13) {
          const n = c.gprLo[RCX] & 0xffff;
          const base = c.seg[ES].base + (c.gprLo[RBP] & 0xffff);
          const attrs = (c.gprLo[RAX] & 0xff) >= 2;
          for (let i = 0; i < n; i++) this.host.output(c.memory.read8(base + i * (attrs ? 2 : 1)));
        } else if (ah === 0x0f) {
          this.set16(c, RAX, (80 << 8) | 3);
          c.gprLo[RBX] &= ~0xff00;
        } else if (ah === 0x03) {
          this.set16(c, RDX, 0);
          this.set16(c, RCX, 0x0607);
        }
        break;
      case 0x11:
        this.set16(c, RAX, 0x0021);
        break;
      case 0x12:
        this.set16(c, RAX, 639);
        break;
      case 0x13:
        cf = !this.disk13(c, ah);
        break;
      case 0x15:
        cf = !this.system15(c, ah);
        break;
      case 0x16:
        if (ah === 0x00 || ah === 0x10) {
          const k = this.keys.shift();
          if (k === undefined) return false;
          this.set16(c, RAX, k);
        } else if (ah === 0x01 || ah === 0x11) {
          zf = this.keys.length === 0;
          if (!zf) this.set16(c, RAX, this.keys[0]);
        } else if (ah === 0x02) c.gprLo[RAX] &= ~0xff;
        break;
      case 0x1a:
        if (ah === 0x00) {
          const ticks = Math.floor((this.host.nowNs() * 18.2065) / 1e9) >>> 0;
          this.set16(c, RCX, ticks >>> 16);
          this.set16(c, RDX, ticks & 0xffff);
          c.gprLo[RAX] &= ~0xff;
        } else cf = true;
        break;
      default:
        if ((vector >= 0x70 && vector <= 0x77) || (vector >= 0x08 && vector <= 0x0f)) {
          if (vector >= 0x70) this.host.pic(0xa0, 0x20);
          this.host.pic(0x20, 0x20);
        }
    }
    // Fold results into the caller's FLAGS image, then return as IRET would.
    if (cf !== undefined || zf !== undefined) {
      const spOff = c.gprLo[RSP] & 0xffff;
      const at = c.seg[SS].base + ((spOff + 4) & 0xffff);
      let fl = c.memory.read16(at);
      if (cf !== undefined) fl = cf ? fl | 1 : fl & ~1;
      if (zf !== undefined) fl = zf ? fl | 0x40 : fl & ~0x40;
      c.memory.write16(at, fl);
    }
    iret(c, 2);
    return true;
  }

  private readSectors(c: Cpu, lba: number, count: number, seg: number, off: number): boolean {
    const total = Math.ceil(this.disk.length / 512);
    if (lba + count > Math.max(total, 1)) return false;
    for (let i = 0; i < count * 512; i++) {
      const src = lba * 512 + i;
      c.memory.write8(seg * 16 + ((off + i) & 0xffff) + (((off + i) >> 16) << 4), src < this.disk.length ? this.disk[src] : 0);
    }
    return true;
  }

  private disk13(c: Cpu, ah: number): boolean {
    const dl = c.gprLo[RDX] & 0xff;
    if (dl !== 0x80 && ah !== 0x00) {
      this.setAh(c, 0x01);
      return false;
    }
    const sectors = Math.max(1, Math.ceil(this.disk.length / 512));
    switch (ah) {
      case 0x00:
        this.setAh(c, 0);
        return true;
      case 0x02: {
        const count = c.gprLo[RAX] & 0xff;
        const cl = c.gprLo[RCX] & 0xff, ch = (c.gprLo[RCX] >>> 8) & 0xff, dh = (c.gprLo[RDX] >>> 8) & 0xff;
        const cyl = ch | ((cl & 0xc0) << 2), sec = cl & 0x3f;
        const lba = (cyl * HEADS + dh) * SECTORS + sec - 1;
        if (sec === 0 || !this.readSectors(c, lba, count, c.seg[ES].selector, c.gprLo[RBX] & 0xffff)) {
          this.setAh(c, 0x04);
          c.gprLo[RAX] &= ~0xff;
          return false;
        }
        this.setAh(c, 0);
        return true;
      }
      case 0x08: {
        const cyls = Math.min(1024, Math.ceil(sectors / (HEADS * SECTORS))) - 1;
        this.setAh(c, 0);
        this.set16(c, RCX, ((cyls & 0xff) << 8) | ((cyls >> 2) & 0xc0) | SECTORS);
        this.set16(c, RDX, ((HEADS - 1) << 8) | 1);
        return true;
      }
      case 0x15:
        this.setAh(c, 0x03);
        this.set16(c, RCX, sectors >>> 16);
        this.set16(c, RDX, sectors & 0xffff);
        return true;
      case 0x41:
        if ((c.gprLo[RBX] & 0xffff) !== 0x55aa) return false;
        this.set16(c, RBX, 0xaa55);
        this.setAh(c, 0x30);
        this.set16(c, RCX, 0x0001);
        return true;
      case 0x42: {
        const dap = c.seg[DS].base + (c.gprLo[RSI] & 0xffff);
        const count = c.memory.read16(dap + 2);
        const off = c.memory.read16(dap + 4), seg = c.memory.read16(dap + 6);
        const lba = c.memory.read32(dap + 8) + c.memory.read32(dap + 12) * 0x1_0000_0000;
        if (!this.readSectors(c, lba, count, seg, off)) {
          this.setAh(c, 0x04);
          return false;
        }
        this.setAh(c, 0);
        return true;
      }
      default:
        this.setAh(c, 0x01);
        return false;
    }
  }

  /** The E820 map: conventional memory, EBDA, BIOS area, extended RAM (and RAM above 4 GiB). */
  private e820(): [number, number, number][] {
    const map: [number, number, number][] = [
      [0, 0x9fc00, 1],
      [0x9fc00, 0x400, 2],
      [0xf0000, 0x10000, 2],
      [0x100000, this.host.lowRamEnd - 0x100000, 1],
      [0xfffc0000, 0x40000, 2],
    ];
    if (this.host.highRamBytes > 0) map.push([0x1_0000_0000, this.host.highRamBytes, 1]);
    return map;
  }

  private system15(c: Cpu, ah: number): boolean {
    const ax = c.gprLo[RAX] & 0xffff;
    if ((c.gprLo[RAX] >>> 0) === 0xe820 || ax === 0xe820) {
      if (c.gprLo[RDX] !== 0x534d4150) return false;
      const map = this.e820();
      const i = c.gprLo[RBX];
      if (i >= map.length) return false;
      const [base, len, type] = map[i];
      const dst = c.seg[ES].base + (c.gprLo[RDI] & 0xffff);
      c.memory.write32(dst, base >>> 0);
      c.memory.write32(dst + 4, Math.floor(base / 0x1_0000_0000));
      c.memory.write32(dst + 8, len >>> 0);
      c.memory.write32(dst + 12, Math.floor(len / 0x1_0000_0000));
      c.memory.write32(dst + 16, type);
      c.gprLo[RAX] = 0x534d4150;
      c.gprLo[RCX] = 20;
      c.gprLo[RBX] = i + 1 < map.length ? i + 1 : 0;
      return true;
    }
    switch (ax) {
      case 0x2400:
        this.host.setA20(false);
        this.setAh(c, 0);
        return true;
      case 0x2401:
        this.host.setA20(true);
        this.setAh(c, 0);
        return true;
      case 0x2402:
        this.set16(c, RAX, this.host.getA20() ? 1 : 0);
        return true;
      case 0x2403:
        this.setAh(c, 0);
        this.set16(c, RBX, 3);
        return true;
      case 0xe801: {
        const ext = Math.max(0, this.host.lowRamEnd - 0x100000);
        const below16 = Math.min(0x3c00, Math.floor(ext / 1024));
        const above16 = Math.floor(Math.max(0, this.host.lowRamEnd - 0x1000000) / 65536);
        this.set16(c, RAX, below16);
        this.set16(c, RCX, below16);
        this.set16(c, RBX, above16);
        this.set16(c, RDX, above16);
        return true;
      }
    }
    if (ah === 0x88) {
      this.set16(c, RAX, Math.min(0xffff, Math.floor(Math.max(0, this.host.lowRamEnd - 0x100000) / 1024)));
      return true;
    }
    if (ah === 0x86) return true;
    this.setAh(c, 0x86);
    void RDI;
    return false;
  }
}
