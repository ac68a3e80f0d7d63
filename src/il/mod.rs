//! CIL method bodies (ECMA-335 II.25.4) and instructions (Partition III).

pub mod body;
pub mod instruction;
pub mod opcode;

pub use body::{ExceptionKind, ExceptionRegion, MethodBody};
pub use instruction::{Instruction, Instructions, Operand, TokenOperands, decode_instructions, encode_instructions};
pub use opcode::{OpCode, OperandKind};
