// Bit positions of CR0/CR4/EFLAGS checked against the Linux UAPI header (an independent source of the SDM facts),
// and describeBits on values whose decoding the header also determines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { CR0, CR4, EFLAGS, describeBits, findField, SEGMENT_DESCRIPTOR, GATE_64, PDE_2M, findMsr, MSRS, setFlagNames, DR6, DR7, APIC_ICR, APIC_LVT, APIC_REGISTERS } from '../../isa/bits';

const HEADER = '/usr/include/x86_64-linux-gnu/asm/processor-flags.h';

function headerBits(prefix: string): Map<string, number> {
  const text = readFileSync(HEADER, 'utf8');
  const out = new Map<string, number>();
  const re = new RegExp(`#define\\s+X86_${prefix}_(\\w+)_BIT\\s+(\\d+)`, 'g');
  for (const m of text.matchAll(re)) out.set(m[1], Number(m[2]));
  return out;
}

// The header's names differ from the SDM's in a few places.
const ALIASES: Record<string, string> = { FIXED: 'R1', OSXMMEXCPT: 'OSXMMEXCPT', VIF: 'VIF', VIP: 'VIP' };

for (const [prefix, def] of [['CR0', CR0], ['CR4', CR4], ['EFLAGS', EFLAGS]] as const) {
  test(`${prefix} bit positions match the Linux UAPI header`, (t) => {
    if (!existsSync(HEADER)) {
      if (process.env.CI) throw new Error(`missing ${HEADER}`);
      t.skip('no kernel UAPI header');
      return;
    }
    const bits = headerBits(prefix);
    assert.ok(bits.size >= 8, `parsed ${bits.size} bits`);
    let compared = 0;
    for (const [name, pos] of bits) {
      const f = findField(def, ALIASES[name] ?? name);
      if (prefix === 'EFLAGS' && name === 'IOPL') {
        assert.equal(f?.lsb, pos);
        compared++;
        continue;
      }
      assert.ok(f, `${prefix}.${name} (bit ${pos}) is missing from our definition`);
      assert.equal(f.lsb, pos, `${prefix}.${name}`);
      compared++;
    }
    // Every single-bit field we define appears in the header (no invented bits), except the newest CR4 bits.
    const newer = new Set(['KL', 'PKS', 'UINTR', 'LAM_SUP']);
    for (const f of def.fields) {
      if (f.width !== 1 || newer.has(f.name)) continue;
      const headerName = Object.entries(ALIASES).find(([, v]) => v === f.name)?.[0] ?? f.name;
      assert.equal(bits.get(headerName), f.lsb, `${prefix}.${f.name} not in the header at bit ${f.lsb}`);
    }
    assert.ok(compared >= 8);
  });
}

test('describeBits names every field of a flat 64-bit code descriptor', () => {
  const d = describeBits(SEGMENT_DESCRIPTOR, 0x00af9b000000ffffn);
  const get = (n: string) => d.find((f) => f.name === n)!.value;
  assert.equal(get('L'), 1);
  assert.equal(get('DB'), 0);
  assert.equal(get('G'), 1);
  assert.equal(get('P'), 1);
  assert.equal(get('DPL'), 0);
  assert.equal(get('LIMIT_LOW'), 0xffff);
  assert.equal(get('LIMIT_HIGH'), 0xf);
  assert.equal(d.find((f) => f.name === 'TYPE')!.valueName, 'code execute/read, accessed');
});

test('describeBits on 128-bit gates and {hi, lo} values', () => {
  const gate = (0xffffffffn << 64n) | (0x81008e00n << 32n) | (0x0010_1234n);
  const d = describeBits(GATE_64, gate);
  assert.equal(d.find((f) => f.name === 'OFFSET_HIGH')!.value, 0xffffffff);
  assert.equal(d.find((f) => f.name === 'OFFSET_MID')!.value, 0x8100);
  assert.equal(d.find((f) => f.name === 'OFFSET_LOW')!.value, 0x1234);
  assert.equal(d.find((f) => f.name === 'SELECTOR')!.value, 0x10);
  assert.equal(d.find((f) => f.name === 'TYPE')!.valueName, '64-bit interrupt gate');
  const pde = describeBits(PDE_2M, { hi: 0x80000000, lo: 0x00200083 });
  assert.equal(pde.find((f) => f.name === 'XD')!.value, 1);
  assert.equal(pde.find((f) => f.name === 'ADDR')!.value, 1);
  assert.deepEqual(setFlagNames(CR0, 0x80000011), ['PE', 'ET', 'PG']);
});

test('MSR table: lookups by address and name, unique addresses', () => {
  assert.equal(findMsr('efer')?.address, 0xc0000080);
  assert.equal(findMsr('MSR_IA32_APICBASE')?.address, 0x1b);
  assert.equal(findMsr(0xc0000102)?.name, 'MSR_KERNEL_GS_BASE');
  assert.equal(findMsr(0x201)?.name, 'MSR_MTRRphysMask0');
  assert.ok(MSRS.size >= 40);
  for (const m of MSRS.values()) assert.ok(m.meaning.length > 10, m.name);
});

test('DR6/DR7 fields match the Linux UAPI debugreg.h layout', (t) => {
  const H = '/usr/include/x86_64-linux-gnu/asm/debugreg.h';
  if (!existsSync(H)) {
    if (process.env.CI) throw new Error(`missing ${H}`);
    t.skip('no kernel UAPI header');
    return;
  }
  const text = readFileSync(H, 'utf8');
  const def = (n: string) => Number(new RegExp(`#define\\s+${n}\\s+\\(?(0x[0-9a-fA-F]+|\\d+)`).exec(text)![1]);
  const bit = (d: typeof DR6, n: string) => 1 << findField(d, n)!.lsb;
  assert.equal(bit(DR6, 'B0') | bit(DR6, 'B1') | bit(DR6, 'B2') | bit(DR6, 'B3'), def('DR_TRAP0') | def('DR_TRAP1') | def('DR_TRAP2') | def('DR_TRAP3'));
  assert.equal(bit(DR6, 'BLD'), def('DR_BUS_LOCK'));
  assert.equal(bit(DR6, 'BS'), def('DR_STEP'));
  assert.equal(bit(DR6, 'BT'), def('DR_SWITCH'));
  const shift = def('DR_CONTROL_SHIFT'), size = def('DR_CONTROL_SIZE'), en = def('DR_ENABLE_SIZE');
  for (let i = 0; i < 4; i++) {
    assert.equal(findField(DR7, `RW${i}`)!.lsb, shift + i * size);
    assert.equal(findField(DR7, `LEN${i}`)!.lsb, shift + i * size + 2);
    assert.equal(bit(DR7, `L${i}`), def('DR_LOCAL_ENABLE') << (i * en));
    assert.equal(bit(DR7, `G${i}`), def('DR_GLOBAL_ENABLE') << (i * en));
  }
  assert.equal(findField(DR7, 'LEN0')!.values![def('DR_LEN_4') >> 2], '4 bytes');
  assert.equal(findField(DR7, 'LEN0')!.values![def('DR_LEN_8') >> 2], '8 bytes');
  assert.equal(findField(DR7, 'RW0')!.values![def('DR_RW_READ')], 'read/write');
  assert.equal(bit(DR7, 'LE'), def('DR_LOCAL_SLOWDOWN'));
  assert.equal(bit(DR7, 'GE'), def('DR_GLOBAL_SLOWDOWN'));
});

test('APIC register map: ICR fields and LVT layout used by the machine', () => {
  assert.equal(APIC_REGISTERS.find((r) => r.name === 'ICR_LOW')?.offset, 0x300);
  assert.equal(APIC_REGISTERS.find((r) => r.name === 'ICR_HIGH')?.offset, 0x310);
  const icr = describeBits(APIC_ICR, 0x000c4608n | (1n << 56n));
  const get = (n: string) => icr.find((f) => f.name === n)!;
  assert.equal(get('DELIVERY').valueName, 'Start-up');
  assert.equal(get('VECTOR').value, 8);
  assert.equal(get('SHORTHAND').valueName, 'all excluding self');
  assert.equal(get('DEST').value, 1);
  assert.equal(describeBits(APIC_LVT, 0x700).find((f) => f.name === 'DELIVERY')!.valueName, 'ExtINT');
});
