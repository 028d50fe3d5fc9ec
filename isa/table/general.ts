// General-purpose integer instructions, 8086 → x86-64, one form per line:
//   names | sizes | operands (AT&T order) | encoding | attributes
// sizes: letters from "bwlq" or "-"; operands: see OperandSpec in ../schema.ts; encoding: hex opcode bytes,
// `+r` register in opcode, `/r` or `/0`–`/7` ModRM, `=xx` fixed ModRM byte, `P66`/`PF3` mandatory prefix,
// `+cc` condition code added to the byte before. Attributes: no64 only64 d64 osz0 lock rep enc dec rexw now
// (REX.W ignored) immrev dup quiet asz16/32/64 op=NAME. Within one mnemonic, earlier lines win: the order encodes GNU's choices.

const alu = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];
const hex = (n: number): string => n.toString(16).padStart(2, '0');

function aluRows(): string {
  return alu
    .map((name, i) => {
      const lock = name === 'cmp' ? '' : 'lock';
      return [
        `${name} | wlq | is8,rm | 83 /${i} | ${lock}`,
        `${name} | b | i,acc | ${hex(i * 8 + 4)} |`,
        `${name} | wlq | i,acc | ${hex(i * 8 + 5)} |`,
        `${name} | b | i,rm | 80 /${i} | ${lock}`,
        `${name} | wlq | i,rm | 81 /${i} | ${lock}`,
        `${name} | b | r,rm | ${hex(i * 8)} /r | ${lock}`,
        `${name} | wlq | r,rm | ${hex(i * 8 + 1)} /r | ${lock}`,
        `${name} | b | rm,r | ${hex(i * 8 + 2)} /r |`,
        `${name} | wlq | rm,r | ${hex(i * 8 + 3)} /r |`,
        `${name} | b | i,rm | 82 /${i} | no64 dec ${lock}`,
      ].join('\n');
    })
    .join('\n');
}

const shifts = ['rol', 'ror', 'rcl', 'rcr', 'shl,sal', 'shr', 'sal', 'sar'];
function shiftRows(): string {
  return shifts
    .map((names, i) => {
      // /6 is an undocumented alias of shl: decoded (objdump calls it shl), never assembled.
      const dec = i === 6 ? 'dec' : '';
      if (i === 6) names = 'shl';
      const op = `op=${names.split(',')[0]} ${dec}`;
      return [
        `${names} | b | $1,rm | d0 /${i} | enc ${op}`,
        `${names} | wlq | $1,rm | d1 /${i} | enc ${op}`,
        `${names} | b | rm | d0 /${i} | ${op}`,
        `${names} | wlq | rm | d1 /${i} | ${op}`,
        `${names} | b | %cl,rm | d2 /${i} | ${op}`,
        `${names} | wlq | %cl,rm | d3 /${i} | ${op}`,
        `${names} | b | i8,rm | c0 /${i} | ${op}`,
        `${names} | wlq | i8,rm | c1 /${i} | ${op}`,
      ].join('\n');
    })
    .join('\n');
}

const unary = [
  ['not', 2, 'lock'],
  ['neg', 3, 'lock'],
  ['mul', 4, ''],
  ['imul', 5, ''],
  ['div', 6, ''],
  ['idiv', 7, ''],
] as const;

const strings = [
  ['movs', 0xa4, 'ms,md', 'rep'],
  ['cmps', 0xa6, 'md,ms', 'rep'],
  ['stos', 0xaa, 'acc,md', 'rep'],
  ['lods', 0xac, 'ms,acc', 'rep'],
  ['scas', 0xae, 'md,acc', 'rep'],
] as const;

export const generalRows = `
${aluRows()}
${shiftRows()}
${unary.map(([n, d, a]) => `${n} | b | rm | f6 /${d} | ${a}\n${n} | wlq | rm | f7 /${d} | ${a}`).join('\n')}
imul | wlq | rm,r | 0f af /r |
imul | wlq | is8,rm,r | 6b /r |
imul | wlq | i,rm,r | 69 /r |
imul | wlq | is8,r | 6b /r | dup enc
imul | wlq | i,r | 69 /r | dup enc
inc | wl | ro | 40+r | no64
inc | b | rm | fe /0 | lock
inc | wlq | rm | ff /0 | lock
dec | wl | ro | 48+r | no64
dec | b | rm | fe /1 | lock
dec | wlq | rm | ff /1 | lock
test | b | i,acc | a8 |
test | wlq | i,acc | a9 |
test | b | i,rm | f6 /0 |
test | wlq | i,rm | f7 /0 |
test | b | r,rm | 84 /r |
test | wlq | r,rm | 85 /r |
test | b | rm,r | 84 /r | enc
test | wlq | rm,r | 85 /r | enc
test | b | i,rm | f6 /1 | dec
test | wlq | i,rm | f7 /1 | dec
mov | b | moffs,acc | a0 | no64
mov | wl | moffs,acc | a1 | no64
mov | b | acc,moffs | a2 | no64
mov | wl | acc,moffs | a3 | no64
mov | b | moffsbig,acc | a0 | only64 enc
mov | wlq | moffsbig,acc | a1 | only64 enc
mov | b | acc,moffsbig | a2 | only64 enc
mov | wlq | acc,moffsbig | a3 | only64 enc
mov | b | r,rm | 88 /r |
mov | wlq | r,rm | 89 /r |
mov | b | rm,r | 8a /r |
mov | wlq | rm,r | 8b /r |
movabs | b | moffs,acc | a0 | only64 op=mov
movabs | wlq | moffs,acc | a1 | only64 op=mov
movabs | b | acc,moffs | a2 | only64 op=mov
movabs | wlq | acc,moffs | a3 | only64 op=mov
mov | b | i,ro | b0+r |
mov | wl | i,ro | b8+r |
mov | q | i,rm | c7 /0 |
mov | q | i64big,ro | b8+r | enc
movabs | q | i64,ro | b8+r | only64 op=mov
mov | b | i,rm | c6 /0 |
mov | wl | i,rm | c7 /0 |
mov | wl | sreg,rr | 8c /r | op=mov_sreg
mov | q | sreg,rr | 8c /r | osz0 op=mov_sreg
mov | w | sreg,m | 8c /r | osz0 quiet op=mov_sreg
mov | wlq | rr,sreg | 8e /r | osz0 op=mov_sreg
mov | w | m,sreg | 8e /r | osz0 quiet op=mov_sreg
mov | l | cr,rrn | 0f 20 /r | osz0 quiet no64 op=mov_cr
mov | q | cr,rrn | 0f 20 /r | osz0 quiet only64 op=mov_cr
mov | l | rrn,cr | 0f 22 /r | osz0 quiet no64 op=mov_cr
mov | q | rrn,cr | 0f 22 /r | osz0 quiet only64 op=mov_cr
mov | l | dr,rrn | 0f 21 /r | osz0 quiet no64 op=mov_dr
mov | q | dr,rrn | 0f 21 /r | osz0 quiet only64 op=mov_dr
mov | l | rrn,dr | 0f 23 /r | osz0 quiet no64 op=mov_dr
mov | q | rrn,dr | 0f 23 /r | osz0 quiet only64 op=mov_dr
movzx,movzb,movzxb | wlq | rm8,r | 0f b6 /r | bare=movzx,movzxb dis=movzb~
movzx,movzw,movzxw | lq | rm16,r | 0f b7 /r | bare=movzx,movzxw dis=movzw~
movzx,movzxw | w | rm16,r | 0f b7 /r | bare=movzx,movzxw dis=movzw~
movsx,movsb,movsxb | wlq | rm8,r | 0f be /r | bare=movsx,movsxb dis=movsb~
movsx,movsw,movsxw | lq | rm16,r | 0f bf /r | bare=movsx,movsxw dis=movsw~
movsx,movsxw | w | rm16,r | 0f bf /r | bare=movsx,movsxw dis=movsw~
movsxd,movsl,movsx,movsxl | q | rm32,r | 63 /r | only64 bare=movsx,movsxd,movsxl dis=movslq
movsxd,movsxl | l | rm32,r | 63 /r | only64 bare=movsxd,movsxl
movsxd | w | rm32,r | 63 /r | only64 nosuffix
lea | wlq | m,r | 8d /r |
xchg | wlq | acc,ro | 90+r | op=xchg
xchg | wlq | ro,acc | 90+r | enc op=xchg
xchg | b | r,rm | 86 /r | lock
xchg | wlq | r,rm | 87 /r | lock
xchg | b | rm,r | 86 /r | enc lock
xchg | wlq | rm,r | 87 /r | enc lock
cmpxchg | b | r,rm | 0f b0 /r | lock
cmpxchg | wlq | r,rm | 0f b1 /r | lock
cmpxchg8b | - | m | 0f c7 /1 | lock
cmpxchg16b | - | m | 0f c7 /1 | lock only64 rexw
xadd | b | r,rm | 0f c0 /r | lock
xadd | wlq | r,rm | 0f c1 /r | lock
bt | wlq | r,rm | 0f a3 /r |
bts | wlq | r,rm | 0f ab /r | lock
btr | wlq | r,rm | 0f b3 /r | lock
btc | wlq | r,rm | 0f bb /r | lock
bt | wlq | i8,rm | 0f ba /4 |
bts | wlq | i8,rm | 0f ba /5 | lock
btr | wlq | i8,rm | 0f ba /6 | lock
btc | wlq | i8,rm | 0f ba /7 | lock
bsf | wlq | rm,r | 0f bc /r | rep np
bsr | wlq | rm,r | 0f bd /r | rep np
shld | wlq | i8,r,rm | 0f a4 /r |
shld | wlq | %cl,r,rm | 0f a5 /r |
shld | wlq | r,rm | 0f a5 /r | enc
shrd | wlq | i8,r,rm | 0f ac /r |
shrd | wlq | %cl,r,rm | 0f ad /r |
shrd | wlq | r,rm | 0f ad /r | enc
bswap | lq | ro | 0f c8+r |
bswap | w | ro | 0f c8+r | dec
set{cc} | - | rm8 | 0f 90+cc /r | op=setcc
cmov{cc} | wlq | rm,r | 0f 40+cc /r | op=cmovcc
j{cc} | - | rel8 | 70+cc | op=jcc
j{cc} | - | rel | 0f 80+cc | op=jcc
jmp | - | rel8 | eb |
jmp | - | rel | e9 |
jmp | wlq | rm | ff /4 | d64 quiet op=jmp_indirect
call | wlq | rel | e8 | d64 quiet
call | wlq | rm | ff /2 | d64 quiet op=call_indirect
ljmp | wl | fsel,foff | ea | no64 immrev quiet op=jmp_far
lcall | wl | fsel,foff | 9a | no64 immrev quiet op=call_far
ljmp | wl | m | ff /5 | quiet op=jmp_far_indirect
lcall | wl | m | ff /3 | quiet op=call_far_indirect
ljmp | q | m | ff /5 | only64 rexw quiet dec op=jmp_far_indirect
lcall | q | m | ff /3 | only64 rexw quiet dec op=call_far_indirect
ret | wlq | - | c3 | d64 quiet rep
ret | wlq | i16 | c2 | d64 quiet rep
lret | wlq | - | cb | quiet
lret | wlq | i16 | ca | quiet
iret | wlq | - | cf | quiet
loop | - | rel8 | e2 |
loope,loopz | - | rel8 | e1 | op=loope
loopne,loopnz | - | rel8 | e0 | op=loopne
jcxz | - | rel8 | e3 | asz16 no64 op=jrcxz
jecxz | - | rel8 | e3 | asz32 op=jrcxz
jrcxz | - | rel8 | e3 | asz64 only64 op=jrcxz
push | wlq | ro | 50+r | d64
push | wlq | rm | ff /6 | d64
push | wlq | is8 | 6a | d64 quiet
push | wlq | i | 68 | d64 quiet
push | wl | %es | 06 | d64 no64 quiet op=push_sreg
push | wl | %cs | 0e | d64 no64 quiet op=push_sreg
push | wl | %ss | 16 | d64 no64 quiet op=push_sreg
push | wl | %ds | 1e | d64 no64 quiet op=push_sreg
push | wlq | %fs | 0f a0 | d64 quiet op=push_sreg
push | wlq | %gs | 0f a8 | d64 quiet op=push_sreg
pop | wlq | ro | 58+r | d64
pop | wlq | rm | 8f /0 | d64
pop | wl | %es | 07 | d64 no64 quiet op=pop_sreg
pop | wl | %ss | 17 | d64 no64 quiet op=pop_sreg
pop | wl | %ds | 1f | d64 no64 quiet op=pop_sreg
pop | wlq | %fs | 0f a1 | d64 quiet op=pop_sreg
pop | wlq | %gs | 0f a9 | d64 quiet op=pop_sreg
pusha | wl | - | 60 | no64 quiet
popa | wl | - | 61 | no64 quiet
pushf | wlq | - | 9c | d64 quiet
popf | wlq | - | 9d | d64 quiet
enter | wlq | i16,i8 | c8 | d64 quiet
leave | wlq | - | c9 | d64 quiet
lahf | - | - | 9f |
sahf | - | - | 9e |
cbtw,cbw | - | - | 98 | size16 op=cbw
cwtl,cwde | - | - | 98 | size32 op=cbw
cltq,cdqe | - | - | 98 | size64 only64 op=cbw
cwtd,cwd | - | - | 99 | size16 op=cwd
cltd,cdq | - | - | 99 | size32 op=cwd
cqto,cqo | - | - | 99 | size64 only64 op=cwd
les | wl | m,r | c4 /r | no64
lds | wl | m,r | c5 /r | no64
lss | wl | m,r | 0f b2 /r |
lss | q | m,r | 0f b2 /r | only64 rexw dec
lfs | wl | m,r | 0f b4 /r |
lfs | q | m,r | 0f b4 /r | only64 rexw dec
lgs | wl | m,r | 0f b5 /r |
lgs | q | m,r | 0f b5 /r | only64 rexw dec
bound | wl | r,m | 62 /r | no64
arpl | - | r16,rm16 | 63 /r | no64
${strings.map(([n, o, ops, a]) => `${n} | b | - | ${hex(o)} | ${a} enc\n${n} | wlq | - | ${hex(o + 1)} | ${a} enc\n${n} | b | ${ops} | ${hex(o)} | ${a}\n${n} | wlq | ${ops} | ${hex(o + 1)} | ${a}`).join('\n')}
ins | b | - | 6c | rep enc now
ins | wl | - | 6d | rep enc now
ins | b | %dx,md | 6c | rep now
ins | wl | %dx,md | 6d | rep now
outs | b | - | 6e | rep enc now
outs | wl | - | 6f | rep enc now
outs | b | ms,%dx | 6e | rep now
outs | wl | ms,%dx | 6f | rep now
xlat | b | - | d7 | quiet enc
xlat | b | mb | d7 | quiet dis=xlat!
in | b | i8,acc | e4 | now
in | wl | i8,acc | e5 | now
in | b | %dx,acc | ec | now
in | wl | %dx,acc | ed | now
in | b | i8 | e4 | enc now
in | wl | i8 | e5 | enc now
in | b | %dx | ec | enc now
in | wl | %dx | ed | enc now
out | b | acc,i8 | e6 | now
out | wl | acc,i8 | e7 | now
out | b | acc,%dx | ee | now
out | wl | acc,%dx | ef | now
out | b | i8 | e6 | enc now
out | wl | i8 | e7 | enc now
out | b | %dx | ee | enc now
out | wl | %dx | ef | enc now
daa | - | - | 27 | no64
das | - | - | 2f | no64
aaa | - | - | 37 | no64
aas | - | - | 3f | no64
aam | - | - | d4 =0a | no64 enc
aam | - | i8 | d4 | no64
aad | - | - | d5 =0a | no64 enc
aad | - | i8 | d5 | no64
nop | - | - | 90 | rep
nop | wlq | rm | 0f 1f /0 | op=nop
pause | - | - | PF3 90 |
clc | - | - | f8 |
stc | - | - | f9 |
cmc | - | - | f5 |
cld | - | - | fc |
std | - | - | fd |
cli | - | - | fa |
sti | - | - | fb |
hlt | - | - | f4 |
int3 | - | - | cc |
int | - | $3 | cc | enc op=int3
int | - | i8 | cd |
into | - | - | ce | no64
int1 | - | - | f1 |
ud2 | - | - | 0f 0b |
xbegin | - | rel | c7 =f8 |
ud1 | wlq | rm,r | 0f b9 /r |
ud0 | wlq | rm,r | 0f ff /r |
cpuid | - | - | 0f a2 |
`;
