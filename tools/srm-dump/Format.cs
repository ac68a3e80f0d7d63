using System;
using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Text;

namespace SrmDump;

/// <summary>Value formatting of the canonical dump ("Values" table of the spec).</summary>
internal static class Format
{
    private const string HexUpper = "0123456789ABCDEF";
    private const string HexLower = "0123456789abcdef";

    public const uint FnvOffsetBasis = 0x811c9dc5;
    private const uint FnvPrime = 0x01000193;

    /// <summary>Quoted string: printable ASCII as is (with \" and \\), other scalars as \u{HEX}.</summary>
    public static StringBuilder AppendQuoted(this StringBuilder sb, string s)
    {
        sb.Append('"');
        int start = 0; // start of the pending run of plain characters
        int i = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (c >= 0x20 && c <= 0x7E && c != '"' && c != '\\')
            {
                i++;
                continue;
            }

            if (i > start)
            {
                sb.Append(s, start, i - start);
            }

            if (c == '"' || c == '\\')
            {
                sb.Append('\\').Append(c);
                i++;
            }
            else
            {
                // Lone surrogates decode to U+FFFD (consumed = 1), like string.EnumerateRunes().
                Rune.DecodeFromUtf16(s.AsSpan(i), out Rune rune, out int consumed);
                sb.Append("\\u{");
                AppendHexNoLeadingZeros(sb, (uint)rune.Value);
                sb.Append('}');
                i += consumed;
            }

            start = i;
        }

        if (i > start)
        {
            sb.Append(s, start, i - start);
        }

        sb.Append('"');
        return sb;
    }

    private static void AppendHexNoLeadingZeros(StringBuilder sb, uint value)
    {
        int shift = 28;
        while (shift > 0 && ((value >> shift) & 0xF) == 0)
        {
            shift -= 4;
        }

        for (; shift >= 0; shift -= 4)
        {
            sb.Append(HexUpper[(int)((value >> shift) & 0xF)]);
        }
    }

    /// <summary>`0x` + 8 uppercase hex digits.</summary>
    public static StringBuilder AppendTokenValue(this StringBuilder sb, int token)
    {
        uint v = (uint)token;
        sb.Append('0').Append('x');
        for (int shift = 28; shift >= 0; shift -= 4)
        {
            sb.Append(HexUpper[(int)((v >> shift) & 0xF)]);
        }

        return sb;
    }

    public static StringBuilder AppendToken(this StringBuilder sb, EntityHandle handle)
        => handle.IsNil ? sb.Append("nil") : sb.AppendTokenValue(MetadataTokens.GetToken(handle));

    public static string TokenString(EntityHandle handle)
        => handle.IsNil ? "nil" : "0x" + MetadataTokens.GetToken(handle).ToString("X8");

    public static StringBuilder AppendLowerHex8(this StringBuilder sb, uint v)
    {
        for (int shift = 28; shift >= 0; shift -= 4)
        {
            sb.Append(HexLower[(int)((v >> shift) & 0xF)]);
        }

        return sb;
    }

    public static StringBuilder AppendBytesHex(this StringBuilder sb, ImmutableArray<byte> bytes)
    {
        if (bytes.IsDefault)
        {
            return sb;
        }

        foreach (byte b in bytes)
        {
            sb.Append(HexLower[b >> 4]).Append(HexLower[b & 0xF]);
        }

        return sb;
    }

    public static uint Fnv1a(ReadOnlySpan<byte> data)
    {
        uint h = FnvOffsetBasis;
        foreach (byte b in data)
        {
            h ^= b;
            h *= FnvPrime;
        }

        return h;
    }

    public static unsafe uint Fnv1a(BlobReader reader)
        => Fnv1a(new ReadOnlySpan<byte>(reader.StartPointer, reader.Length));

    /// <summary>`b&lt;len&gt;:&lt;fnv&gt;` of a #Blob entry.</summary>
    public static StringBuilder AppendBlob(this StringBuilder sb, MetadataReader reader, BlobHandle handle)
    {
        if (handle.IsNil)
        {
            return sb.Append("b0:811c9dc5");
        }

        BlobReader br = reader.GetBlobReader(handle);
        sb.Append('b').Append(br.Length).Append(':');
        return sb.AppendLowerHex8(Fnv1a(br));
    }

    public static StringBuilder AppendGuid(this StringBuilder sb, MetadataReader reader, GuidHandle handle)
    {
        if (handle.IsNil)
        {
            return sb.Append("nil");
        }

        Guid g = reader.GetGuid(handle);
        Span<char> buf = stackalloc char[36];
        g.TryFormat(buf, out int written, "d");
        return sb.Append(buf.Slice(0, written));
    }

    public static StringBuilder AppendGuid(this StringBuilder sb, Guid g)
    {
        Span<char> buf = stackalloc char[36];
        g.TryFormat(buf, out int written, "d");
        return sb.Append(buf.Slice(0, written));
    }

    public static StringBuilder AppendString(this StringBuilder sb, MetadataReader reader, StringHandle handle)
        => handle.IsNil ? sb.Append("\"\"") : sb.AppendQuoted(reader.GetString(handle));
}
