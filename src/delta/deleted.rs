//! What the body of a deleted method throws, as Roslyn writes it.
//!
//! With `NewTypeDefinition`, the first generation that deletes a method adds an internal
//! sealed class `System.Runtime.CompilerServices.HotReloadException : Exception` (Roslyn's
//! `SynthesizedHotReloadExceptionSymbol`): a public read-only `int Code`, a private static
//! `Action<Exception> Created` that a hot reload agent may set by reflection to hear of
//! every instance, and `.ctor(string message, int code)`. A deleted body is then
//! `throw new HotReloadException(message, -2)` (`HotReloadExceptionCode.DeletedMethodInvoked`,
//! stored negated). The chain state keeps the type's rows, so later generations reuse
//! the constructor and never add a second type of that name. When the user's build
//! defines the type itself with such a constructor, that constructor is used and nothing
//! is synthesized (Roslyn's "predefined" HotReloadException). Without `NewTypeDefinition`
//! a deleted body throws `MissingMethodException(message)` instead.

use serde::{Deserialize, Serialize};

use super::il::IlStream;
use super::importer::Importer;
use super::tables::row;
use crate::baseline::ChainState;
use crate::capability::{Capabilities, Capability};
use crate::error::{Error, Result};
use crate::il::OpCode;
use crate::metadata::schema::{CodedIndex, MethodDefRow, TableId, TypeDefRow, TypeRefRow};
use crate::metadata::signature::{self, MethodSig, Signature, TypeSig, element, header};
use crate::metadata::{Token, enc_op};

pub const HOT_RELOAD_EXCEPTION_NAMESPACE: &str = "System.Runtime.CompilerServices";
pub const HOT_RELOAD_EXCEPTION_NAME: &str = "HotReloadException";

/// `HotReloadException.Code` of a deleted method called: Roslyn's
/// `HotReloadExceptionCode.DeletedMethodInvoked` (2), stored negated.
pub const DELETED_METHOD_INVOKED_CODE: i32 = -2;

/// The message a deleted method's body throws with: Roslyn's text
/// (`EncDeletedMethodInvoked`) with the member named, so a log line says which one.
pub fn deleted_method_message(member: &str) -> String {
    format!(
        "Attempted to invoke a deleted method implementation ({member}). This can happen when a method is deleted or its name or signature is changed while the application is running."
    )
}

/// The chain rows of the synthesized `HotReloadException` (row ids), kept in the chain
/// state so later generations reuse the type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HotReloadExceptionRows {
    pub type_def: u32,
    pub code_field: u32,
    pub created_field: u32,
    pub constructor: u32,
}

/// What a deleted body throws: `newobj constructor` after the message (and the code,
/// when the constructor takes one).
#[derive(Clone, Copy, Debug)]
pub struct DeletedBodyThrow {
    pub constructor: Token,
    pub code: Option<i32>,
}

/// The exception deleted bodies of this generation throw, and the synthesized type when
/// this generation adds it (its rows, and its constructor for the debug rows).
pub fn deleted_body_throw(
    importer: &mut Importer<'_, '_>,
    state: &ChainState,
    capabilities: Capabilities,
    il: &mut IlStream,
) -> Result<(DeletedBodyThrow, Option<HotReloadExceptionRows>)> {
    let hot_reload = |constructor| DeletedBodyThrow { constructor, code: Some(DELETED_METHOD_INVOKED_CODE) };
    if let Some(constructor) = user_defined_constructor(importer)? {
        return Ok((hot_reload(constructor), None));
    }
    if let Some(rows) = state.hot_reload_exception {
        return Ok((hot_reload(Token::try_new(TableId::MethodDef, rows.constructor)?), None));
    }
    if !capabilities.has(Capability::NewTypeDefinition) {
        let constructor = missing_method_constructor(importer)?;
        return Ok((DeletedBodyThrow { constructor, code: None }, None));
    }
    let rows = synthesize(importer, il)?;
    Ok((hot_reload(Token::try_new(TableId::MethodDef, rows.constructor)?), Some(rows)))
}

/// Whether `(namespace, name)` is the type this module synthesizes.
pub fn is_hot_reload_exception(namespace: &str, name: &str) -> bool {
    namespace == HOT_RELOAD_EXCEPTION_NAMESPACE && name == HOT_RELOAD_EXCEPTION_NAME
}

/// `.ctor(string, int32)` returning void, with `this`.
const CONSTRUCTOR_SIGNATURE: [u8; 5] = [header::HAS_THIS, 2, element::VOID, element::STRING, element::I4];

/// The constructor `(string, int)` of the updated build's own top-level
/// `System.Runtime.CompilerServices.HotReloadException`, in the chain. A build that
/// defines the type without that constructor is an error, as in Roslyn (which then
/// fails every delta of the compilation; here only one that deletes a method).
fn user_defined_constructor(importer: &mut Importer<'_, '_>) -> Result<Option<Token>> {
    let md = importer.new_ids.metadata();
    for rid in 1..=md.row_count(TableId::TypeDef) {
        let t = Token::new(TableId::TypeDef, rid);
        let r: TypeDefRow = md.row(rid)?;
        if importer.new_ids.enclosing_type(t).is_some()
            || !is_hot_reload_exception(&md.string(r.namespace)?, &md.string(r.name)?)
        {
            continue;
        }
        for method in md.list(TableId::TypeDef, rid, 5)? {
            let m: MethodDefRow = md.row(method.rid())?;
            if md.string(m.name)? == ".ctor" && md.blob(m.signature)? == CONSTRUCTOR_SIGNATURE {
                return importer.definition(method).map(Some);
            }
        }
        return Err(Error::Invalid(format!(
            "the updated build defines {HOT_RELOAD_EXCEPTION_NAMESPACE}.{HOT_RELOAD_EXCEPTION_NAME} without a constructor (string message, int code), which the body of a deleted method throws through; add that constructor or rename the type"
        )));
    }
    Ok(None)
}

/// The AssemblyRef (in the baseline) of the core library `System.Object` comes from:
/// where `Exception`, `Action<T>`, `MissingMethodException` and
/// `CompilerGeneratedAttribute` are referenced.
fn core_library(importer: &Importer<'_, '_>) -> Result<Token> {
    let base = importer.baseline_ids.metadata();
    (1..=base.row_count(TableId::TypeRef))
        .find_map(|rid| {
            let r: TypeRefRow = base.row(rid).ok()?;
            let is_object = base.string(r.namespace).ok()? == "System" && base.string(r.name).ok()? == "Object";
            (is_object && r.resolution_scope.table() == Some(TableId::AssemblyRef)).then_some(r.resolution_scope)
        })
        .ok_or_else(|| {
            Error::Invalid("the baseline references no System.Object, so a deleted method cannot throw".into())
        })
}

/// References into the core library, keyed as [`crate::diff::Identities::key`] keys
/// them so a row the baseline or an earlier generation has is reused.
struct CoreReferences {
    scope: Token,
    scope_key: String,
}

impl CoreReferences {
    fn new(importer: &mut Importer<'_, '_>) -> Result<Self> {
        let scope = core_library(importer)?;
        let scope_key = importer.baseline_ids.key(scope)?.to_string();
        Ok(CoreReferences { scope, scope_key })
    }

    fn type_key(&self, namespace: &str, name: &str) -> String {
        format!("{}T:{namespace}.{name}", self.scope_key)
    }

    fn type_ref(&self, importer: &mut Importer<'_, '_>, namespace: &str, name: &str) -> Result<(Token, String)> {
        let key = self.type_key(namespace, name);
        let scope = CodedIndex::ResolutionScope.encode(self.scope).unwrap_or(0);
        let token = importer.reference_row(TableId::TypeRef, name.as_bytes(), &key, |imp| {
            Ok(row(&[scope, imp.heaps.string(name), imp.heaps.string(namespace)]))
        })?;
        Ok((token, key))
    }
}

/// A MemberRef `parent::name` with `signature` (`parent_key`: the parent's identity key,
/// `signature_key`: the signature's, as `Identities` writes them).
fn member_ref(
    importer: &mut Importer<'_, '_>,
    parent: Token,
    parent_key: &str,
    name: &str,
    signature: &[u8],
    signature_key: &str,
) -> Result<Token> {
    let key = format!("R:{parent_key}::{name}:{signature_key}");
    let parent = encode(CodedIndex::MemberRefParent, parent)?;
    importer.reference_row(TableId::MemberRef, name.as_bytes(), &key, |imp| {
        Ok(row(&[parent, imp.heaps.string(name), imp.heaps.blob(signature)]))
    })
}

fn encode(coded: CodedIndex, token: Token) -> Result<u32> {
    coded.encode(token).ok_or_else(|| Error::Invalid(format!("{token} cannot be encoded as {coded:?}")))
}

/// Instance constructor taking one string: its signature and identity key.
const STRING_CONSTRUCTOR: ([u8; 4], &str) =
    ([header::HAS_THIS, 1, element::VOID, element::STRING], "0x20`0(0xe,)->0x1");

/// `System.MissingMethodException::.ctor(string)` in the chain.
fn missing_method_constructor(importer: &mut Importer<'_, '_>) -> Result<Token> {
    let core = CoreReferences::new(importer)?;
    let (type_ref, type_key) = core.type_ref(importer, "System", "MissingMethodException")?;
    let (signature, signature_key) = STRING_CONSTRUCTOR;
    member_ref(importer, type_ref, &type_key, ".ctor", &signature, signature_key)
}

// Attributes of the synthesized rows, as Roslyn writes them.
/// NotPublic (internal), Sealed, BeforeFieldInit.
const TYPE_FLAGS: u32 = 0x0010_0100;
/// Public, InitOnly.
const CODE_FIELD_FLAGS: u32 = 0x0026;
/// Private, Static.
const CREATED_FIELD_FLAGS: u32 = 0x0011;
/// Public, HideBySig, SpecialName, RTSpecialName.
const CONSTRUCTOR_FLAGS: u32 = 0x1886;

/// Adds the `HotReloadException` type, its fields, constructor (body in `il`) and
/// `[CompilerGenerated]` to this delta, after every other row it adds.
fn synthesize(importer: &mut Importer<'_, '_>, il: &mut IlStream) -> Result<HotReloadExceptionRows> {
    let core = CoreReferences::new(importer)?;
    let (exception, exception_key) = core.type_ref(importer, "System", "Exception")?;
    let (action, action_key) = core.type_ref(importer, "System", "Action`1")?;
    let action_of_exception =
        TypeSig::GenericInst { value_type: false, generic: action, args: vec![TypeSig::Class(exception)] };
    let action_of_exception_key = format!("inst0 {action_key}<class {exception_key},>");
    let action_spec_key = format!("S:{action_of_exception_key}");
    let action_spec_blob = signature::encode(&Signature::Type(action_of_exception.clone()))?;
    let action_spec = importer
        .reference_row(TableId::TypeSpec, b"", &action_spec_key, |imp| Ok(row(&[imp.heaps.blob(&action_spec_blob)])))?;
    let (string_constructor, string_constructor_key) = STRING_CONSTRUCTOR;
    let exception_constructor =
        member_ref(importer, exception, &exception_key, ".ctor", &string_constructor, string_constructor_key)?;
    // `void Invoke(!0)` on Action<Exception>.
    let invoke_signature = signature::encode(&Signature::Method(MethodSig {
        header: header::HAS_THIS,
        generic_count: 0,
        ret: TypeSig::Primitive(element::VOID),
        params: vec![TypeSig::Var(0)],
        sentinel: None,
    }))?;
    let invoke = member_ref(importer, action_spec, &action_spec_key, "Invoke", &invoke_signature, "0x20`0(!0,)->0x1")?;
    let locals_blob = signature::encode(&Signature::Locals(vec![action_of_exception.clone()]))?;
    let locals_key = format!("L:locals({action_of_exception_key},)");
    let locals = importer
        .reference_row(TableId::StandAloneSig, b"", &locals_key, |imp| Ok(row(&[imp.heaps.blob(&locals_blob)])))?;
    let (attribute, attribute_key) =
        core.type_ref(importer, HOT_RELOAD_EXCEPTION_NAMESPACE, "CompilerGeneratedAttribute")?;
    let attribute_constructor = member_ref(
        importer,
        attribute,
        &attribute_key,
        ".ctor",
        &[header::HAS_THIS, 0, element::VOID],
        "0x20`0()->0x1",
    )?;

    let type_def = importer.next_row(TableId::TypeDef)?;
    let values = row(&[
        TYPE_FLAGS,
        importer.heaps.string(HOT_RELOAD_EXCEPTION_NAME),
        importer.heaps.string(HOT_RELOAD_EXCEPTION_NAMESPACE),
        encode(CodedIndex::TypeDefOrRef, exception)?,
        0,
        0,
    ]);
    importer.tables.set(TableId::TypeDef, type_def.rid(), values)?;

    let code_field = importer.next_row(TableId::Field)?;
    let code_signature = signature::encode(&Signature::Field(TypeSig::Primitive(element::I4)))?;
    let values = row(&[CODE_FIELD_FLAGS, importer.heaps.string("Code"), importer.heaps.blob(&code_signature)]);
    importer.tables.set(TableId::Field, code_field.rid(), values)?;
    importer.tables.announce(code_field, type_def, enc_op::FIELD_CREATE);

    let created_field = importer.next_row(TableId::Field)?;
    let created_signature = signature::encode(&Signature::Field(action_of_exception))?;
    let values = row(&[CREATED_FIELD_FLAGS, importer.heaps.string("Created"), importer.heaps.blob(&created_signature)]);
    importer.tables.set(TableId::Field, created_field.rid(), values)?;
    importer.tables.announce(created_field, type_def, enc_op::FIELD_CREATE);

    let constructor = importer.next_row(TableId::MethodDef)?;
    let code = constructor_body(exception_constructor, code_field, created_field, invoke);
    let rva = il.add_synthesized_body(&code, 2, locals)?;
    let values = row(&[
        rva,
        0,
        CONSTRUCTOR_FLAGS,
        importer.heaps.string(".ctor"),
        importer.heaps.blob(&CONSTRUCTOR_SIGNATURE),
        0,
    ]);
    importer.tables.set(TableId::MethodDef, constructor.rid(), values)?;
    importer.tables.announce(constructor, type_def, enc_op::METHOD_CREATE);

    let attribute_row = importer.next_row(TableId::CustomAttribute)?;
    let values = row(&[
        encode(CodedIndex::HasCustomAttribute, type_def)?,
        encode(CodedIndex::CustomAttributeType, attribute_constructor)?,
        importer.heaps.blob(&[1, 0, 0, 0]),
    ]);
    importer.tables.set(TableId::CustomAttribute, attribute_row.rid(), values)?;

    Ok(HotReloadExceptionRows {
        type_def: type_def.rid(),
        code_field: code_field.rid(),
        created_field: created_field.rid(),
        constructor: constructor.rid(),
    })
}

/// The constructor's IL (one local, `Action<Exception>`):
/// `base(message); this.Code = code; Created?.Invoke(this);`
fn constructor_body(exception_constructor: Token, code_field: Token, created_field: Token, invoke: Token) -> Vec<u8> {
    const LDARG_0: u8 = 0x02;
    const LDARG_1: u8 = 0x03;
    const LDARG_2: u8 = 0x04;
    const LDLOC_0: u8 = 0x06;
    const STLOC_0: u8 = 0x0A;
    const DUP: u8 = 0x25;
    const BRFALSE_S: u8 = 0x2C;
    const NOP: u8 = 0x00;
    const RET: u8 = 0x2A;
    const STFLD: u8 = 0x7D;
    let with_token = |code: &mut Vec<u8>, opcode: u8, token: Token| {
        code.push(opcode);
        code.extend_from_slice(&token.0.to_le_bytes());
    };
    let mut code = vec![LDARG_0, LDARG_1];
    with_token(&mut code, OpCode::CALL.0 as u8, exception_constructor);
    code.extend_from_slice(&[NOP, LDARG_0, LDARG_2]);
    with_token(&mut code, STFLD, code_field);
    with_token(&mut code, OpCode::LDSFLD.0 as u8, created_field);
    // Skips the invocation (ldloc.0, ldarg.0, callvirt, nop: 8 bytes) when no one listens.
    code.extend_from_slice(&[DUP, STLOC_0, BRFALSE_S, 8, LDLOC_0, LDARG_0]);
    with_token(&mut code, OpCode::CALLVIRT.0 as u8, invoke);
    code.extend_from_slice(&[NOP, RET]);
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::il::{Operand, decode_instructions};

    #[test]
    fn constructor_body_decodes_and_its_branch_lands_on_ret() {
        let code = constructor_body(Token(0x0A00_0001), Token(0x0400_0001), Token(0x0400_0002), Token(0x0A00_0002));
        let instructions = decode_instructions(&code).unwrap();
        let names: Vec<&str> = instructions.iter().map(|i| i.opcode.name()).collect();
        assert_eq!(
            names,
            [
                "ldarg.0",
                "ldarg.1",
                "call",
                "nop",
                "ldarg.0",
                "ldarg.2",
                "stfld",
                "ldsfld",
                "dup",
                "stloc.0",
                "brfalse.s",
                "ldloc.0",
                "ldarg.0",
                "callvirt",
                "nop",
                "ret"
            ]
        );
        let branch = instructions.iter().find(|i| i.opcode.name() == "brfalse.s").unwrap();
        let Operand::BranchShort(delta) = branch.operand else { panic!("brfalse.s has a short branch operand") };
        let target = branch.offset as i64 + branch.len() as i64 + delta as i64;
        assert_eq!(target, instructions.last().unwrap().offset as i64, "the branch skips to ret");
    }

    #[test]
    fn the_message_names_the_member() {
        let message = deleted_method_message("App.Program::Twice");
        assert!(message.contains("(App.Program::Twice)"), "{message}");
        assert!(message.starts_with("Attempted to invoke a deleted method implementation"), "{message}");
    }
}
