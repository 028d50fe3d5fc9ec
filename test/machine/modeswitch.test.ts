// Mode-switch rules against Unicorn (QEMU's CPU): byte sequences assembled by GNU as run in Unicorn; the same
// transitions are replayed through our helpers (writeCr0/4/3, writeMsr, farJump, loadSegment) on the same bytes
// (GDT included) and the resulting CR0/CR4/EFER/selectors, memory and raised vectors must agree. Unicorn's 16-bit
// mode cannot set EFER.LME (it reads back 0), so IA-32e transitions are checked against the SDM below instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMsr, writeCr0, writeCr3, writeCr4, writeMsr, lmsw } from '../../machine/cpu/control';
import { farJump, loadSegment } from '../../machine/cpu/segments';
import { CS, DS, SS } from '../../machine/cpu/segment';
import { asAvailable, assemble, requireOracle, runPython, unicornAvailable } from './oracle';
import { faultOf, newMachine, put64 } from './setup';

const BASE = 0x7000;
const COMMON = `
  .text
  .code16
start:
  lgdtl gdtr
`;
const GDT = `
  .balign 8
gdt:
  .quad 0
  .quad 0x00cf9b000000ffff   # 0x08 32-bit code
  .quad 0x00cf93000000ffff   # 0x10 data
  .quad 0x00af9b000000ffff   # 0x18 64-bit code
  .quad 0x00009b000000ffff   # 0x20 16-bit code, 64 KiB (to return to real mode, SDM 10.9.2)
gdtr:
  .word gdtr - gdt - 1
  .long gdt
`;

interface Scenario {
  name: string;
  asm: string;
  /** Symbol where Unicorn stops. */
  until: string;
  /** The same transitions through our helpers. */
  replay: (env: ReturnType<typeof newMachine>) => void;
}

const TO_PROTECTED = `
  mov %cr0, %eax
  or $1, %eax
  mov %eax, %cr0
  ljmpl $0x08, $pm32
  .code32
pm32:
  mov $0x10, %ax
  mov %ax, %ds
  mov %ax, %ss
`;

function replayProtected({ m, cpu }: ReturnType<typeof newMachine>): void {
  cpu.gdtBase = m.memory.read32(sym.gdtr + 2);
  cpu.gdtLimit = m.memory.read16(sym.gdtr);
  writeCr0(cpu, cpu.cr0 | 1);
  farJump(cpu, 0x08, sym.pm32);
  loadSegment(cpu, DS, 0x10);
  loadSegment(cpu, SS, 0x10);
}

const sym: Record<string, number> = {};

const scenarios: Scenario[] = [
  {
    name: 'real → protected (32-bit CS) → 32-bit paging with a 4 MiB PSE page',
    asm: TO_PROTECTED + `
  mov %cr4, %eax
  or $0x10, %eax
  mov %eax, %cr4
  mov $0x110000, %eax
  mov %eax, %cr3
  mov %cr0, %eax
  or $0x80000000, %eax
  mov %eax, %cr0
  jmp 1f
1:
  movl $0x12345678, 0x150000
done:
  nop
`,
    until: 'done',
    replay: (env) => {
      replayProtected(env);
      const { cpu } = env;
      writeCr4(cpu, cpu.cr4 | 0x10);
      writeCr3(cpu, 0x110000);
      writeCr0(cpu, (cpu.cr0 | 0x80000000) >>> 0);
      cpu.write32(DS, 0x150000, 0, 0x12345678);
      assert.equal(cpu.paging, '32-bit');
    },
  },
  {
    name: 'real → protected → PAE paging (legacy) with a 2 MiB page',
    asm: TO_PROTECTED + `
  mov %cr4, %eax
  or $0x20, %eax
  mov %eax, %cr4
  mov $0x120000, %eax
  mov %eax, %cr3
  mov %cr0, %eax
  or $0x80000000, %eax
  mov %eax, %cr0
  jmp 1f
1:
  movl $0x12345678, 0x150000
done:
  nop
`,
    until: 'done',
    replay: (env) => {
      replayProtected(env);
      const { cpu } = env;
      writeCr4(cpu, cpu.cr4 | 0x20);
      writeCr3(cpu, 0x120000);
      writeCr0(cpu, (cpu.cr0 | 0x80000000) >>> 0);
      cpu.write32(DS, 0x150000, 0, 0x12345678);
      assert.equal(cpu.paging, 'pae');
    },
  },
  {
    name: 'LMSW sets PE but cannot clear it',
    asm: `
  mov $1, %ax
  lmsw %ax
  xor %ax, %ax
  lmsw %ax
done:
  nop
`,
    until: 'done',
    replay: ({ cpu }) => {
      lmsw(cpu, 1);
      lmsw(cpu, 0);
    },
  },
  {
    name: 'a data segment loaded in protected mode keeps its 4 GiB limit back in real mode (unreal)',
    asm: TO_PROTECTED + `
  ljmp $0x20, $pm16
  .code16
pm16:
  mov %cr0, %eax
  and $0xfffffffe, %eax
  mov %eax, %cr0
  ljmp $0, $real16
real16:
  xor %ax, %ax
  mov %ax, %ds
  movl $0x12345678, %eax
  addr32 movl %eax, %ds:0x150000
done:
  nop
`,
    until: 'done',
    replay: (env) => {
      replayProtected(env);
      const { cpu } = env;
      farJump(cpu, 0x20, sym.pm16);
      assert.equal(cpu.codeSize, 16);
      writeCr0(cpu, cpu.cr0 & ~1);
      farJump(cpu, 0, sym.real16);
      assert.equal(cpu.mode, 'real');
      loadSegment(cpu, DS, 0);
      assert.equal(cpu.seg[DS].limit, 0xffffffff);
      assert.equal(cpu.unreal, true);
      cpu.write32(DS, 0x150000, 0, 0x12345678);
    },
  },
];

test('mode switches agree with Unicorn (registers, faults)', (t) => {
  if (!requireOracle(t, unicornAvailable(), 'python3-unicorn')) return;
  if (!requireOracle(t, asAvailable(), 'GNU as')) return;
  const images = scenarios.map((s) => {
    const src = COMMON + s.asm + GDT;
    const image = assemble(src, BASE);
    // Symbol addresses: assemble a second time with a symbol dump through `nm`-free trick: labels are found by
    // assembling `.long label` probes appended at the end.
    const labels = [...src.matchAll(/^(\w+):/gm)].map((x) => x[1]);
    const probe = assemble(src + '\n  .code32\nprobes:\n' + labels.map((l) => `  .long ${l}`).join('\n') + '\n', BASE);
    const at = probe.length - labels.length * 4;
    const dv = new DataView(probe.buffer, probe.byteOffset);
    const table: Record<string, number> = {};
    labels.forEach((l, i) => (table[l] = dv.getUint32(at + i * 4, true)));
    return { image, table };
  });
  const out = runPython(UNICORN_SCRIPT, images.map((x, i) => ({ code: Buffer.from(x.image).toString('hex'), base: BASE, until: x.table[scenarios[i].until] }))) as UcResult[];
  let compared = 0;
  scenarios.forEach((s, i) => {
    const uc = out[i];
    Object.keys(sym).forEach((k) => delete sym[k]);
    Object.assign(sym, images[i].table);
    const env = newMachine();
    env.m.memory.load(BASE, images[i].image);
    buildIdentityTables(env);
    env.cpu.cr0 = 0x10; // Unicorn starts with CD/NW clear (reset value minus the cache bits) and CS = 0
    env.cpu.seg[CS].loadReal(0);
    const f = faultOf(() => s.replay(env));
    const { cpu } = env;
    assert.deepEqual(f === null ? [] : [f[0]], uc.interrupts, `${s.name}: vectors`);
    assert.equal(cpu.cr0 >>> 0, uc.cr0, `${s.name}: CR0`);
    assert.equal(cpu.cr4 >>> 0, uc.cr4, `${s.name}: CR4`);
    assert.equal(cpu.efer >>> 0, uc.efer, `${s.name}: EFER`);
    if (uc.interrupts.length === 0) {
      assert.equal(cpu.seg[CS].selector, uc.cs, `${s.name}: CS`);
      assert.equal(cpu.seg[DS].selector, uc.ds, `${s.name}: DS`);
      assert.equal(env.m.memory.read32(0x150000), uc.mem150000, `${s.name}: memory written through the new mode`);
    }
    compared++;
  });
  assert.equal(compared, scenarios.length);
});

interface UcResult { interrupts: number[]; cr0: number; cr4: number; efer: number; cs: number; ds: number; mem150000?: number }

function buildIdentityTables({ m }: ReturnType<typeof newMachine>): void {
  put64(m, 0x100000, 0x101003);
  put64(m, 0x101000, 0x102003);
  put64(m, 0x102000, 0x83);
  m.memory.write32(0x110000, 0x83); // 32-bit PD: 4 MiB identity page
  put64(m, 0x120000, 0x121001); // PAE PDPT → PD
  put64(m, 0x121000, 0x83); // 2 MiB identity page
}

const UNICORN_SCRIPT = String.raw`
import json, sys, struct
from unicorn import *
from unicorn.x86_const import *
res = []
for sc in json.load(sys.stdin):
    mu = Uc(UC_ARCH_X86, UC_MODE_16)
    mu.mem_map(0, 0x400000)
    mu.mem_write(0x100000, struct.pack('<Q', 0x101003))
    mu.mem_write(0x101000, struct.pack('<Q', 0x102003))
    mu.mem_write(0x102000, struct.pack('<Q', 0x83))
    mu.mem_write(0x110000, struct.pack('<I', 0x83))
    mu.mem_write(0x120000, struct.pack('<Q', 0x121001))
    mu.mem_write(0x121000, struct.pack('<Q', 0x83))
    code = bytes.fromhex(sc['code'])
    mu.mem_write(sc['base'], code)
    ints = []
    def hook(uc, intno, data):
        ints.append(intno)
        uc.emu_stop()
    mu.hook_add(UC_HOOK_INTR, hook)
    try:
        mu.emu_start(sc['base'], sc['until'], count=1000)
    except UcError as e:
        ints.append(-1); sys.stderr.write(str(e) + ' at ' + hex(mu.reg_read(UC_X86_REG_EIP)) + '\n')
    r = dict(interrupts=ints, cr0=mu.reg_read(UC_X86_REG_CR0), cr4=mu.reg_read(UC_X86_REG_CR4),
             efer=mu.reg_read(UC_X86_REG_MSR, 0xc0000080), cs=mu.reg_read(UC_X86_REG_CS), ds=mu.reg_read(UC_X86_REG_DS))
    r['mem150000'] = struct.unpack('<I', mu.mem_read(0x150000, 4))[0]
    res.append(r)
print(json.dumps(res))
`;

// ---- SDM rules that need no oracle run --------------------------------------------------------------------

test('IA-32e rules: LA57 and PAE frozen while LMA=1, PG cannot be cleared in 64-bit mode, LME frozen under paging', () => {
  const env = newMachine({ cpu: { pcid: true } });
  buildIdentityTables(env);
  const { cpu, m } = env;
  put64(m, 0x8000, 0, 0x00af9b000000ffffn);
  cpu.gdtBase = 0x8000;
  cpu.gdtLimit = 15;
  writeCr0(cpu, 1);
  writeCr4(cpu, 0x20);
  writeCr3(cpu, 0x100000);
  writeMsr(cpu, 0xc0000080, 0x100, 0);
  writeCr0(cpu, 0x80000001);
  assert.equal(cpu.efer & 0x400, 0x400, 'LMA set by enabling paging');
  assert.equal(cpu.mode, 'compat');
  assert.deepEqual(faultOf(() => writeCr4(cpu, 0x20 | 0x1000)), [13, 0], 'LA57 change in IA-32e mode');
  assert.deepEqual(faultOf(() => writeCr4(cpu, 0)), [13, 0], 'clearing PAE in IA-32e mode');
  assert.deepEqual(faultOf(() => writeMsr(cpu, 0xc0000080, 0, 0)), [13, 0], 'clearing LME with paging on');
  assert.deepEqual(faultOf(() => writeCr3(cpu, 0x100000, 0x100)), [13, 0], 'CR3 bits beyond MAXPHYADDR (40)');
  farJump(cpu, 0x08, 0x1000);
  assert.equal(cpu.mode, 'long');
  assert.equal(cpu.codeSize, 64);
  assert.deepEqual(faultOf(() => writeCr0(cpu, 0x1)), [13, 0], 'clearing PG in 64-bit mode');
  assert.deepEqual(faultOf(() => writeCr0(cpu, 0x80000001, 1)), [13, 0], 'CR0 bits 63:32');
  assert.deepEqual(faultOf(() => writeCr4(cpu, 0x20 | 0x2000)), [13, 0], 'VMXE is not supported by the model');
  assert.deepEqual(faultOf(() => writeCr4(cpu, 0x20 | 0x20000)), null, 'PCIDE with CR3[11:0] = 0 in IA-32e mode');
  // Leaving IA-32e mode through compatibility mode.
  put64(m, 0x8010, 0x00cf9b000000ffffn);
  cpu.gdtLimit = 23;
  writeCr4(cpu, 0x20);
  farJump(cpu, 0x10, 0x2000);
  assert.equal(cpu.mode, 'compat');
  writeCr0(cpu, 0x1);
  assert.equal(cpu.efer & 0x400, 0, 'LMA cleared with PG');
  assert.equal(cpu.mode, 'protected');
  assert.equal(cpu.paging, 'none');
});

// Unicorn (QEMU 5) lets MOV CR0 set PG without PE and then page-faults; the SDM (MOV CR, "Protected Mode
// Exceptions") requires #GP(0), as do NW=1 with CD=0 and a PAE PDPTE with reserved bits at MOV CR3.
test('CR0 consistency rules raise #GP(0) at the MOV itself', () => {
  const { cpu } = newMachine();
  assert.deepEqual(faultOf(() => writeCr0(cpu, 0x80000000)), [13, 0], 'PG without PE');
  assert.deepEqual(faultOf(() => writeCr0(cpu, 0x20000001)), [13, 0], 'NW without CD');
  assert.equal(cpu.cr0 >>> 0, 0x60000010, 'CR0 unchanged after the faults');
  writeCr0(cpu, 0x11);
  assert.equal(cpu.mode, 'protected');
  assert.equal(cpu.codeSize, 16, 'CS still holds the real-mode cache until a far jump');
});

test('MSRs: unknown address, CPL 3, reserved EFER bits and non-canonical bases raise #GP(0)', () => {
  const { cpu } = newMachine();
  assert.deepEqual(faultOf(() => readMsr(cpu, 0x12345)), [13, 0]);
  assert.deepEqual(faultOf(() => writeMsr(cpu, 0xc0000080, 0x2, 0)), [13, 0]);
  assert.deepEqual(faultOf(() => writeMsr(cpu, 0xc0000100, 0, 0x8000)), [13, 0]);
  writeMsr(cpu, 0xc0000100, 0x1000, 0xffff8000);
  assert.equal(readMsr(cpu, 0xc0000100), 0x1000);
  assert.equal(cpu.mmu.hi, 0xffff8000);
  assert.equal(readMsr(cpu, 0x1b) >>> 0, 0xfee00900, 'APIC base with BSP and enable bits');
  cpu.cpl = 3;
  assert.deepEqual(faultOf(() => readMsr(cpu, 0xc0000080)), [13, 0]);
});

test('the default model (like QEMU -cpu max under TCG) has no PCID: CR4.PCIDE raises #GP', () => {
  const { cpu } = newMachine();
  assert.deepEqual(faultOf(() => writeCr4(cpu, 0x20000)), [13, 0]);
});

test('a CPU model without LA57 or long mode refuses CR4.LA57 and EFER.LME', () => {
  const { cpu } = newMachine({ cpu: { la57: false, lm: false } });
  assert.deepEqual(faultOf(() => writeCr4(cpu, 0x1000)), [13, 0]);
  assert.deepEqual(faultOf(() => writeMsr(cpu, 0xc0000080, 0x100, 0)), [13, 0]);
});
