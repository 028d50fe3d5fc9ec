// A segment register: the visible selector plus the hidden descriptor cache the CPU really uses (SDM 3.4.3).

/** Attribute word = descriptor bits 55:40 (type, S, DPL, P, AVL, L, D/B, G) moved to bits 15:0. */
export const ATTR_ACCESSED = 0x1, ATTR_RW = 0x2, ATTR_CE = 0x4, ATTR_CODE = 0x8, ATTR_S = 0x10;
export const ATTR_DPL_SHIFT = 5, ATTR_P = 0x80, ATTR_AVL = 0x1000, ATTR_L = 0x2000, ATTR_DB = 0x4000, ATTR_G = 0x8000;
/** Not a descriptor bit: the register holds a null selector in protected mode and is unusable. */
export const ATTR_UNUSABLE = 0x10000;

/** Index of segment registers in CpuState.seg (matches the ModRM sreg encoding). */
export const ES = 0, CS = 1, SS = 2, DS = 3, FS = 4, GS = 5;
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;

export class SegmentRegister {
  selector = 0;
  /** Base bits 31:0 (unsigned) and 63:32 (FS, GS, LDTR, TR in IA-32e mode). */
  base = 0;
  baseHi = 0;
  /** Byte-granular limit (G already applied). */
  limit = 0xffff;
  attr = ATTR_P | ATTR_S | ATTR_RW | ATTR_ACCESSED;

  get dpl(): number {
    return (this.attr >>> ATTR_DPL_SHIFT) & 3;
  }
  get present(): boolean {
    return (this.attr & ATTR_P) !== 0;
  }
  get isCode(): boolean {
    return (this.attr & (ATTR_S | ATTR_CODE)) === (ATTR_S | ATTR_CODE);
  }
  get usable(): boolean {
    return (this.attr & ATTR_UNUSABLE) === 0;
  }

  /** Real-mode / V86 load: only the selector and base change; the cached limit and attributes stay ("unreal"). */
  loadReal(selector: number): void {
    this.selector = selector & 0xffff;
    this.base = (selector & 0xffff) << 4;
    this.baseHi = 0;
  }

  /** Loads the cache from an 8-byte descriptor given as two 32-bit halves. */
  loadDescriptor(selector: number, lo: number, hi: number): void {
    this.selector = selector & 0xffff;
    this.base = ((lo >>> 16) | ((hi & 0xff) << 16) | (hi & 0xff000000)) >>> 0;
    this.baseHi = 0;
    const rawLimit = (lo & 0xffff) | (hi & 0xf0000);
    this.attr = (hi >>> 8) & 0xf0ff;
    this.limit = this.attr & ATTR_G ? ((rawLimit << 12) | 0xfff) >>> 0 : rawLimit;
  }

  /** A null selector loaded in protected mode. */
  loadNull(selector: number): void {
    this.selector = selector & 0xffff;
    this.base = 0;
    this.baseHi = 0;
    this.limit = 0;
    this.attr = ATTR_UNUSABLE;
  }

  set(selector: number, base: number, limit: number, attr: number, baseHi = 0): void {
    this.selector = selector & 0xffff;
    this.base = base >>> 0;
    this.baseHi = baseHi >>> 0;
    this.limit = limit >>> 0;
    this.attr = attr;
  }

  copyFrom(o: SegmentRegister): void {
    this.selector = o.selector;
    this.base = o.base;
    this.baseHi = o.baseHi;
    this.limit = o.limit;
    this.attr = o.attr;
  }
}
