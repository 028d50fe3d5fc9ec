/*
 * A boot sector that uses the BIOS the way ordinary boot loaders do, in a 4-sector (2 KiB) disk image:
 *   - INT 13h AH=41h checks for the extended (LBA) disk services on the boot drive the BIOS passed in DL;
 *   - INT 13h AH=42h reads sectors 1-2 (the second stage) to 0x7E00 through a disk address packet;
 *   - INT 13h AH=02h reads sector 3 (a data sector) to 0x8200 by cylinder/head/sector (C=0, H=0, S=4).
 * The second stage then proves real-mode interrupt delivery without the BIOS: it hooks IVT vector 0, divides
 * by zero, and the handler steps over the faulting DIV (a fault pushes the DIV's own address); and it sums the
 * data sector. Output goes to the debug console (port 0xE9) directly, never through INT 10h, so the same
 * lines appear under any BIOS. Exit through isa-debug-exit (port 0xF4) with 0x13: status (0x13 << 1) | 1 = 39;
 * a failed BIOS call or check exits with 0x01 (status 3).
 * Build with the link address 0x7c00; run:  trampoline run disk-read.S --start boot-sector
 */
#define DEBUGCON        0xe9
#define EXIT_PORT       0xf4
#define EXIT_SUCCESS    0x13
#define EXIT_FAILURE    0x01
#define STAGE2_SECTORS  2
#define DATA_CHS_SECTOR 4               /* CHS sectors count from 1: LBA 3 */
#define IVT_DE          0x0000          /* vector 0 (#DE): offset, then segment */

        .code16
        .text
        .globl  boot
boot:
        cli
        xorw    %ax, %ax
        movw    %ax, %ds
        movw    %ax, %es
        movw    %ax, %ss
        movw    $0x7c00, %sp
        ljmpw   $0, $1f                 # some BIOSes enter at 07C0:0000: make CS:IP = 0000:7Cxx
1:      movb    %dl, boot_drive
        movw    $msg_boot, %si
        call    print
        movb    boot_drive, %al
        call    print_hex8
        call    newline

        /* LBA services present? BX = 0x55AA in, 0xAA55 out with CF clear. */
        movb    $0x41, %ah
        movw    $0x55aa, %bx
        movb    boot_drive, %dl
        int     $0x13
        jc      .Lno_edd
        cmpw    $0xaa55, %bx
        jne     .Lno_edd

        /* Second stage through the disk address packet below: 2 sectors from LBA 1 to 0000:7E00. */
        movb    $0x42, %ah
        movb    boot_drive, %dl
        movw    $dap, %si
        int     $0x13
        jc      .Lread_failed
        movw    $msg_lba, %si
        call    print

        /* Data sector by CHS: AL = count, CH = cylinder, CL = sector, DH = head, ES:BX = buffer. */
        movw    $0x0201, %ax
        movw    $DATA_CHS_SECTOR, %cx
        xorb    %dh, %dh
        movb    boot_drive, %dl
        movw    $data_sector, %bx
        int     $0x13
        jc      .Lread_failed
        movw    $msg_chs, %si
        call    print

        cmpl    $0x32454753, stage2_magic       # "SGE2": the second stage really arrived
        jne     .Lbad_stage2
        jmp     stage2

.Lno_edd:
        movw    $msg_no_edd, %si
        jmp     fail
.Lread_failed:
        movw    $msg_read_failed, %si
        jmp     fail
.Lbad_stage2:
        movw    $msg_bad_stage2, %si
fail:                                   # %si = reason
        call    print
        movb    $EXIT_FAILURE, %al
        outb    %al, $EXIT_PORT
        cli
        hlt

print:                                  # %si = NUL-terminated string; clobbers %al and %si
1:      lodsb
        testb   %al, %al
        jz      2f
        outb    %al, $DEBUGCON
        jmp     1b
2:      ret

newline:
        movb    $'\n', %al
        outb    %al, $DEBUGCON
        ret

print_hex8:                             # %al as 0xNN; clobbers %ax
        movb    %al, %ah
        movb    $'0', %al
        outb    %al, $DEBUGCON
        movb    $'x', %al
        outb    %al, $DEBUGCON
        movb    %ah, %al
        shrb    $4, %al
        call    print_nibble
        movb    %ah, %al
print_nibble:                           # low 4 bits of %al as one hex digit
        andb    $0xf, %al
        cmpb    $10, %al
        jb      1f
        addb    $('a' - '0' - 10), %al
1:      addb    $'0', %al
        outb    %al, $DEBUGCON
        ret

        .balign 4
dap:                                    # INT 13h extended read: disk address packet
        .byte   16, 0                   # packet size, reserved
        .word   STAGE2_SECTORS          # sectors to read
        .word   stage2_start, 0         # buffer offset, segment
        .quad   1                       # first LBA
boot_drive:     .byte 0

msg_boot:        .asciz "boot: drive "
msg_lba:         .asciz "boot: stage 2 read by LBA (INT 13h AH=42h)\n"
msg_chs:         .asciz "boot: data read by CHS (INT 13h AH=02h)\n"
msg_no_edd:      .asciz "FAIL: no INT 13h extensions\n"
msg_read_failed: .asciz "FAIL: INT 13h read\n"
msg_bad_stage2:  .asciz "FAIL: stage 2 signature\n"

        .org    510
        .byte   0x55, 0xaa

/* ---- Sectors 1-2: the second stage, loaded at 0x7E00 ---- */
stage2_start:
stage2_magic:   .ascii "SGE2"
stage2:
        movw    $msg_stage2, %si
        call    print

        /* Real-mode #DE through our own IVT entry. */
        movw    $de_handler, IVT_DE
        movw    %cs, IVT_DE + 2
        movw    $0, de_count
        movw    $100, %ax
        xorb    %bl, %bl
        divb    %bl                     # divide by zero: #DE, vector 0
        cmpw    $1, de_count
        jne     .Lbad_de
        movw    $msg_de, %si
        call    print

        /* Sum the data sector as 256 words. */
        movw    $data_sector, %si
        movw    $256, %cx
        xorw    %dx, %dx
1:      lodsw
        addw    %ax, %dx
        loop    1b
        movw    $msg_sum, %si
        call    print
        movb    %dh, %al
        call    print_hex8
        movb    %dl, %al
        call    print_nibble_pair
        call    newline
        cmpw    $EXPECTED_SUM, %dx
        jne     .Lbad_sum

        movb    $EXIT_SUCCESS, %al
        outb    %al, $EXIT_PORT
        cli
        hlt

.Lbad_de:
        movw    $msg_bad_de, %si
        jmp     fail
.Lbad_sum:
        movw    $msg_bad_sum, %si
        jmp     fail

print_nibble_pair:                      # %al as two hex digits, no prefix (continues a 0xNN)
        movb    %al, %ah
        shrb    $4, %al
        call    print_nibble
        movb    %ah, %al
        jmp     print_nibble

/* A fault pushes FLAGS, CS and the IP of the faulting instruction: resuming there would divide again, so
 * step over the 2-byte DIV. */
de_handler:
        pushw   %bp
        movw    %sp, %bp
        addw    $2, 2(%bp)              # the saved IP, above the saved BP
        incw    de_count
        popw    %bp
        iret

de_count:       .word 0
msg_stage2:     .asciz "stage 2: running at 0x7e00\n"
msg_de:         .asciz "stage 2: #DE delivered through the IVT and stepped over\n"
msg_sum:        .asciz "stage 2: data sector sum "
msg_bad_de:     .asciz "FAIL: #DE handler\n"
msg_bad_sum:    .asciz "FAIL: data sector sum\n"

        .org    3 * 512
/* ---- Sector 3: data, loaded at 0x8200. Word i = i * 0x0101 + 0x1357, so the sum is fixed: ---- */
data_sector:
        .irp    hi, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
        .irp    lo, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
        .word   ((\hi * 16 + \lo) * 0x0101 + 0x1357) & 0xffff
        .endr
        .endr
/* sum over i < 256 of (i * 0x101 + 0x1357) mod 2^16 = (0x101 * 32640 + 256 * 0x1357) mod 2^16 */
EXPECTED_SUM = (0x101 * 32640 + 256 * 0x1357) & 0xffff
        .org    4 * 512
