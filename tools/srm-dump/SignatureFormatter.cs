using System;
using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Text;

namespace SrmDump;

/// <summary>
/// Prints decoded signatures in the spec's syntax ("Signatures" section).
/// </summary>
internal sealed class SignatureFormatter : ISignatureTypeProvider<string, object?>
{
    public static readonly SignatureFormatter Instance = new();

    private const string TypePrefix = "type(";

    // --- ISimpleTypeProvider ---

    public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode switch
    {
        PrimitiveTypeCode.Void => "void",
        PrimitiveTypeCode.Boolean => "bool",
        PrimitiveTypeCode.Char => "char",
        PrimitiveTypeCode.SByte => "i1",
        PrimitiveTypeCode.Byte => "u1",
        PrimitiveTypeCode.Int16 => "i2",
        PrimitiveTypeCode.UInt16 => "u2",
        PrimitiveTypeCode.Int32 => "i4",
        PrimitiveTypeCode.UInt32 => "u4",
        PrimitiveTypeCode.Int64 => "i8",
        PrimitiveTypeCode.UInt64 => "u8",
        PrimitiveTypeCode.Single => "r4",
        PrimitiveTypeCode.Double => "r8",
        PrimitiveTypeCode.String => "string",
        PrimitiveTypeCode.TypedReference => "typedref",
        PrimitiveTypeCode.IntPtr => "i",
        PrimitiveTypeCode.UIntPtr => "u",
        PrimitiveTypeCode.Object => "object",
        _ => throw new BadImageFormatException("unknown primitive type code " + (int)typeCode),
    };

    public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        => TypeHandle(handle, rawTypeKind);

    public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        => TypeHandle(handle, rawTypeKind);

    public string GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind)
        => TypeHandle(handle, rawTypeKind);

    private static string TypeHandle(EntityHandle handle, byte rawTypeKind)
    {
        string kind = rawTypeKind switch
        {
            0x11 => "valuetype(",
            0x12 => "class(",
            _ => TypePrefix,
        };
        return kind + Format.TokenString(handle) + ")";
    }

    // --- IConstructedTypeProvider / ISZArrayTypeProvider ---

    public string GetSZArrayType(string elementType) => "szarray(" + elementType + ")";

    public string GetPointerType(string elementType) => "ptr(" + elementType + ")";

    public string GetByReferenceType(string elementType) => "byref(" + elementType + ")";

    public string GetGenericInstantiation(string genericType, ImmutableArray<string> typeArguments)
    {
        var sb = new StringBuilder();
        sb.Append("inst(").Append(genericType).Append(';');
        for (int i = 0; i < typeArguments.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(typeArguments[i]);
        }

        return sb.Append(')').ToString();
    }

    public string GetArrayType(string elementType, ArrayShape shape)
    {
        var sb = new StringBuilder();
        sb.Append("array(").Append(elementType).Append(';').Append(shape.Rank).Append(';');
        AppendIntList(sb, shape.Sizes);
        sb.Append(';');
        AppendIntList(sb, shape.LowerBounds);
        return sb.Append(')').ToString();
    }

    private static void AppendIntList(StringBuilder sb, ImmutableArray<int> values)
    {
        sb.Append('[');
        if (!values.IsDefault)
        {
            for (int i = 0; i < values.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(',');
                }

                sb.Append(values[i]);
            }
        }

        sb.Append(']');
    }

    // --- ISignatureTypeProvider ---

    public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr(" + Method(signature) + ")";

    public string GetGenericMethodParameter(object? genericContext, int index) => "!!" + index.ToString();

    public string GetGenericTypeParameter(object? genericContext, int index) => "!" + index.ToString();

    public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired)
    {
        // SRM decodes the modifier's TypeDefOrRefOrSpec with raw type kind 0, which the
        // provider prints as `type(<token>)`; the spec prints the bare token.
        string token = modifier.StartsWith(TypePrefix, StringComparison.Ordinal) && modifier.EndsWith(')')
            ? modifier.Substring(TypePrefix.Length, modifier.Length - TypePrefix.Length - 1)
            : modifier;
        return (isRequired ? "modreq(" : "modopt(") + token + ";" + unmodifiedType + ")";
    }

    public string GetPinnedType(string elementType) => "pinned(" + elementType + ")";

    // --- whole signatures ---

    public static string Method(MethodSignature<string> sig)
    {
        var sb = new StringBuilder();
        sb.Append("method(").Append(sig.Header.RawValue).Append(';')
          .Append(sig.GenericParameterCount).Append(';')
          .Append(sig.ReturnType).Append(";[");
        ImmutableArray<string> ps = sig.ParameterTypes;
        for (int i = 0; i < ps.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(ps[i]);
        }

        return sb.Append("];").Append(sig.RequiredParameterCount).Append(')').ToString();
    }

    public static string TypeList(string keyword, ImmutableArray<string> types)
    {
        var sb = new StringBuilder();
        sb.Append(keyword).Append("([");
        for (int i = 0; i < types.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append(types[i]);
        }

        return sb.Append("])").ToString();
    }
}
