// MC146818 CMOS RTC at ports 0x70 (index; bit 7 masks NMI) and 0x71 (data): a deterministic clock derived from the
// virtual clock (starting 2026-01-01 00:00:00), status registers A-D, and the PC memory-size bytes firmware and
// boot loaders read. Writes to the NVRAM bytes are kept.
import type { VirtualClock } from './clock';
import type { PortDevice } from './iobus';

const bcd = (v: number): number => ((Math.floor(v / 10) % 10) << 4) | (v % 10);

export class Cmos implements PortDevice {
  private index = 0;
  nmiDisabled = false;
  private readonly nvram = new Uint8Array(128);

  constructor(private readonly clock: VirtualClock, lowRamEnd: number, highRamBytes: number) {
    const extKb = Math.min(0xffff, Math.max(0, lowRamEnd - 0x100000) / 1024);
    const above16 = Math.min(0xffff, Math.max(0, lowRamEnd - 0x1000000) / 65536);
    const above4g = Math.floor(highRamBytes / 65536);
    const set16 = (r: number, v: number): void => {
      this.nvram[r] = v & 0xff;
      this.nvram[r + 1] = (v >> 8) & 0xff;
    };
    this.nvram[0x0a] = 0x26;
    this.nvram[0x0b] = 0x02; // 24-hour, BCD
    this.nvram[0x0d] = 0x80; // valid RAM and time
    this.nvram[0x14] = 0x06; // equipment: FPU, VGA
    set16(0x15, 640);
    set16(0x17, extKb);
    set16(0x30, extKb);
    set16(0x34, above16);
    this.nvram[0x5b] = above4g & 0xff;
    this.nvram[0x5c] = (above4g >> 8) & 0xff;
    this.nvram[0x5d] = (above4g >> 16) & 0xff;
    this.nvram[0x32] = 0x20; // century (BCD)
  }

  private time(reg: number): number {
    const seconds = Math.floor(this.clock.now / 1e9);
    const d = new Date(Date.UTC(2026, 0, 1) + seconds * 1000);
    switch (reg) {
      case 0x00: return bcd(d.getUTCSeconds());
      case 0x02: return bcd(d.getUTCMinutes());
      case 0x04: return bcd(d.getUTCHours());
      case 0x06: return d.getUTCDay() + 1;
      case 0x07: return bcd(d.getUTCDate());
      case 0x08: return bcd(d.getUTCMonth() + 1);
      case 0x09: return bcd(d.getUTCFullYear() % 100);
    }
    return this.nvram[reg];
  }

  portRead(port: number): number {
    if (port === 0x70) return 0xff;
    const r = this.index;
    if (r <= 0x09 && r !== 0x01 && r !== 0x03 && r !== 0x05) return this.time(r);
    if (r === 0x0c) {
      const v = this.nvram[0x0c];
      this.nvram[0x0c] = 0; // reading C acknowledges
      return v;
    }
    return this.nvram[r];
  }

  portWrite(port: number, _size: 1 | 2 | 4, value: number): void {
    if (port === 0x70) {
      this.index = value & 0x7f;
      this.nmiDisabled = (value & 0x80) !== 0;
      return;
    }
    if (this.index === 0x0c || this.index === 0x0d) return; // read-only status
    this.nvram[this.index] = value & 0xff;
  }
}
