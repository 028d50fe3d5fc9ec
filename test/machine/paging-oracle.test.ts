// Random page tables walked by our MMU and by Unicorn (QEMU's page walker) in 32-bit paging with PSE 4 MiB pages:
// for each supervisor read or write, both must agree on fault / no fault, the physical data reached, and every
// accessed/dirty bit written back (including QEMU's choice of marking upper levels accessed before a lower level
// faults, which the SDM allows). Unicorn does not expose #PF error codes or CR2 — those are covered against the
// SDM in paging.test.ts. Unicorn 2.0.1's legacy PAE mode walks the tables (A/D bits appear) but its loads return
// 0 and its stores land elsewhere, so PAE cases are generated but not compared here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeCr0, writeCr3, writeCr4 } from '../../machine/cpu/control';
import { ACC_READ, ACC_WRITE } from '../../machine/cpu/mmu';
import { CpuFault } from '../../machine/cpu/fault';
import { requireOracle, runPython, unicornAvailable } from './oracle';
import { newMachine } from './setup';
import { seededRandom as rng } from '../seeded-random';

// Deterministic PRNG so failures reproduce.

interface Case {
  pae: boolean;
  wp: boolean;
  /** Page-table memory: [address, 32-bit value] writes. */
  writes: [number, number][];
  accesses: { lin: number; write: boolean }[];
}

const TABLES = 0x100000; // tables live in 1..1.25 MiB, data pages in 2..4 MiB

function makeCase(r: () => number, pae: boolean): Case {
  const writes: [number, number][] = [];
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const flags = () => (r() < 0.85 ? 1 : 0) | (r() < 0.6 ? 2 : 0) | (r() < 0.3 ? 0x20 : 0) | (r() < 0.2 ? 0x40 : 0);
  const dataPage = () => 0x200000 + Math.floor(r() * 512) * 0x1000;
  if (!pae) {
    // PD at TABLES, PTs at TABLES + 0x1000 * k; linear space 0..16 MiB (PDE 0..3) plus a 4 MiB page.
    for (let i = 0; i < 4; i++) {
      if (r() < 0.3) writes.push([TABLES + i * 4, (0x400000 * (1 + Math.floor(r() * 3))) | 0x80 | flags()]);
      else {
        const pt = TABLES + 0x1000 * (i + 1);
        writes.push([TABLES + i * 4, pt | flags()]);
        for (let j = 0; j < 16; j++) writes.push([pt + j * 4, dataPage() | flags()]);
      }
    }
  } else {
    // PDPT at TABLES (entry 0 only), PD at +0x1000, PTs after; 2 MiB pages sometimes.
    writes.push([TABLES, (TABLES + 0x1000) | 1], [TABLES + 4, 0]);
    for (let i = 0; i < 4; i++) {
      if (r() < 0.3) writes.push([TABLES + 0x1000 + i * 8, (0x200000 * (1 + Math.floor(r() * 6))) | 0x80 | flags()]);
      else {
        const pt = TABLES + 0x2000 + 0x1000 * i;
        writes.push([TABLES + 0x1000 + i * 8, pt | flags()]);
        for (let j = 0; j < 16; j++) writes.push([pt + j * 8, dataPage() | flags()], [pt + j * 8 + 4, 0]);
      }
      writes.push([TABLES + 0x1000 + i * 8 + 4, 0]);
    }
  }
  const accesses = [];
  for (let k = 0; k < 6; k++) {
    const big = pae ? Math.floor(r() * 4) * 0x200000 : Math.floor(r() * 4) * 0x400000;
    accesses.push({ lin: big + Math.floor(r() * 16) * 0x1000 + Math.floor(r() * 0x1000 / 4) * 4, write: r() < 0.4 });
  }
  return { pae, wp: pick([false, true]), writes, accesses };
}

const CODE32 = 0xc00000; // fixed identity 4 MiB page (PDE 3) holding the access instruction
const CODEPAE = 0xa00000; // fixed identity 2 MiB page (PDE 5)

const SCRIPT = String.raw`
import json, sys, struct
from unicorn import *
from unicorn.x86_const import *
out = []
PAGES = [p for p in range(0x200000, 0xc00000, 0x1000) if p < 0x400000 or (p & 0x3fffff) < 0x10000]
for c in json.load(sys.stdin):
    mu = Uc(UC_ARCH_X86, UC_MODE_32)
    mu.mem_map(0, 0x1000000)
    for p in PAGES:
        mu.mem_write(p, struct.pack('<I', p))
    for a, v in c['writes']:
        mu.mem_write(a, struct.pack('<I', v))
    code = c['code']
    mu.reg_write(UC_X86_REG_CR3, 0x100000)
    mu.reg_write(UC_X86_REG_CR4, 0x20 if c['pae'] else 0x10)
    # CR0 through the instruction (reg_write(CR0) does not refresh QEMU's cached WP flag)
    cr0 = 0x80000011 | (0x10000 if c['wp'] else 0)
    mu.mem_write(code, b'\xb8' + struct.pack('<I', cr0) + b'\x0f\x22\xc0\x90')
    mu.emu_start(code, code + 8, count=2)
    ctx = mu.context_save()
    seen = []
    def on_intr(uc, intno, data):
        seen.append(intno)
        uc.emu_stop()
    mu.hook_add(UC_HOOK_INTR, on_intr)
    res = []
    for i, acc in enumerate(c['accesses']):
        mu.context_restore(ctx)  # a fault leaves QEMU's CPU mid-delivery; start each access from the same state
        seen.clear()
        lin = acc['lin']
        ins = (b'\x89\x1d' if acc['write'] else b'\x8b\x05') + struct.pack('<I', lin) + b'\x90'
        mu.mem_write(code, ins)
        mu.reg_write(UC_X86_REG_EAX, 0)
        mu.reg_write(UC_X86_REG_EBX, 0x5a000000 | i)
        try:
            mu.emu_start(code, code + 6, count=1)
            if seen:
                res.append(-1 if seen == [14] else -100 - seen[0])
            else:
                res.append(mu.reg_read(UC_X86_REG_EAX) if not acc['write'] else -2)
        except UcError:
            res.append(-99)
    tables = [struct.unpack('<I', mu.mem_read(a, 4))[0] for a, v in c['writes']]
    data = [struct.unpack('<I', mu.mem_read(p, 4))[0] for p in PAGES]
    out.append(dict(res=res, tables=tables, data=data))
print(json.dumps(out))
`;

const CASES = 120;
/** Data pages the random tables can reach: 2-4 MiB (4 KiB pages) and the first 64 KiB of each 4 MiB page. */
const PAGES: number[] = []; // (the code page at 12 MiB is left out)
for (let p = 0x200000; p < 0xc00000; p += 0x1000) if (p < 0x400000 || (p & 0x3fffff) < 0x10000) PAGES.push(p);

test('random 32-bit page tables (4 KiB and 4 MiB pages, WP on/off): same faults, data and A/D bits as Unicorn', (t) => {
  if (!requireOracle(t, unicornAvailable(), 'python3-unicorn')) return;
  const r = rng(0x5eed);
  const cases = Array.from({ length: CASES }, (_, i) => {
    const pae = false;
    const c = makeCase(r, pae);
    // the fixed code mapping (already accessed, so neither side changes it)
    if (pae) c.writes.push([TABLES + 0x1000 + 5 * 8, CODEPAE | 0xa3], [TABLES + 0x1000 + 5 * 8 + 4, 0]);
    else c.writes.push([TABLES + 3 * 4, CODE32 | 0xa3]);
    return { ...c, code: pae ? CODEPAE : CODE32 };
  });
  const uc = runPython(SCRIPT, cases) as { res: number[]; tables: number[]; data: number[] }[];
  let faults = 0, ok = 0;
  cases.forEach((c, ci) => {
    const { m, cpu } = newMachine({ memoryMiB: 16 });
    for (const p of PAGES) m.memory.write32(p, p);
    for (const [a, v] of c.writes) m.memory.write32(a, v);
    writeCr3(cpu, 0x100000);
    writeCr4(cpu, c.pae ? 0x20 : 0x10);
    writeCr0(cpu, 0x80000011 | (c.wp ? 0x10000 : 0));
    const res = c.accesses.map((acc, i) => {
      try {
        const p = cpu.mmu.translate(acc.lin, 0, acc.write ? ACC_WRITE : ACC_READ);
        if (acc.write) {
          m.memory.write32(p, (0x5a000000 | i) >>> 0);
          return -2;
        }
        return m.memory.read32(p);
      } catch (e) {
        if (!(e instanceof CpuFault)) throw e;
        assert.equal(e.vector, 14);
        return -1;
      }
    });
    const where = `case ${ci} (${c.pae ? 'PAE' : '32-bit'}, WP=${c.wp})`;
    assert.deepEqual(res, uc[ci].res, `${where}: access results`);
    assert.deepEqual(c.writes.map(([a]) => m.memory.read32(a)), uc[ci].tables, `${where}: paging entries after the walks (A/D bits)`);
    const data = PAGES.map((p) => m.memory.read32(p));
    assert.deepEqual(data, uc[ci].data, `${where}: data pages`);
    faults += res.filter((x) => x === -1).length;
    ok += res.filter((x) => x !== -1).length;
  });
  t.diagnostic(`compared ${CASES} page-table sets: ${ok} translated accesses, ${faults} page faults`);
  assert.ok(faults > 50 && ok > 100, 'the random tables exercise both outcomes');
});
