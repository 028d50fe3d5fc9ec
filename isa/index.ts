// The public surface of the x86 table and what derives from it.
export type { CodeMode } from './mode';
export type { Value, Operand, InstructionInput, Fixup, Encoding, EncodeResult, EncodeInstruction } from './operand';
export type { InstructionForm, OperandSpec, OperationDoc } from './schema';
export { forms, formsByName, formById, conditionCodes, allMnemonics } from './table';
export { registers, lookupRegister, gprNames, segNames, type RegisterInfo, type RegisterClass } from './registers';
export { parseInstruction, prefixNames, type EvaluateExpression, type ParseResult, type ColumnRange } from './att-syntax';
export { encodeInstruction } from './encoder';
export { decodeInstruction, newDecoded, Prefix, RIP, type DecodedInstruction, type ByteReader } from './decoder';
export { disassemble, formatInstruction, type DisassembledLine, type DisassembleOptions, type SymbolInfo } from './disassembler';
export { decodedToInput } from './decoded-to-input';
export { operationDocs, docForMnemonic, flagMask, operationFlagMasks } from './docs';
