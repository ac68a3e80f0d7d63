using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Text;

namespace DeltaVerify
{
    internal sealed partial class Verifier
    {
        private enum Operand
        {
            None,
            Int8,      // 1-byte immediate / local index
            Int16,     // 2-byte local/arg index
            Int32,
            Int64,
            Float32,
            Float64,
            Branch8,
            Branch32,
            Switch,
            Token,
            String,    // ldstr
        }

        /// <summary>Operand kind of a one-byte opcode (ECMA-335 III).</summary>
        private static Operand OneByteOperand(byte op)
        {
            switch (op)
            {
                case 0x0E: case 0x0F: case 0x10: case 0x11: case 0x12: case 0x13: case 0x1F:
                    return Operand.Int8;
                case 0x20: return Operand.Int32;
                case 0x21: return Operand.Int64;
                case 0x22: return Operand.Float32;
                case 0x23: return Operand.Float64;
                case 0x27: case 0x28: case 0x29: return Operand.Token; // jmp, call, calli
                case 0x45: return Operand.Switch;
                case 0x6F: case 0x70: case 0x71: return Operand.Token; // callvirt, cpobj, ldobj
                case 0x72: return Operand.String;
                case 0x73: case 0x74: case 0x75: case 0x79: return Operand.Token; // newobj, castclass, isinst, unbox
                case 0x7B: case 0x7C: case 0x7D: case 0x7E: case 0x7F: case 0x80: case 0x81: return Operand.Token;
                case 0x8C: case 0x8D: case 0x8F: return Operand.Token; // box, newarr, ldelema
                case 0xA3: case 0xA4: case 0xA5: return Operand.Token; // ldelem, stelem, unbox.any
                case 0xC2: case 0xC6: case 0xD0: return Operand.Token; // refanyval, mkrefany, ldtoken
                case 0xDD: return Operand.Branch32; // leave
                case 0xDE: return Operand.Branch8;  // leave.s
            }

            if (op >= 0x2B && op <= 0x37) return Operand.Branch8;
            if (op >= 0x38 && op <= 0x44) return Operand.Branch32;
            return Operand.None;
        }

        /// <summary>Operand kind of a 0xFE-prefixed opcode, or null when the opcode is undefined.</summary>
        private static Operand? TwoByteOperand(byte op)
        {
            switch (op)
            {
                case 0x00: case 0x01: case 0x02: case 0x03: case 0x04: case 0x05:
                case 0x0F: case 0x11: case 0x13: case 0x14: case 0x17: case 0x18:
                case 0x1A: case 0x1D: case 0x1E:
                    return Operand.None;
                case 0x06: case 0x07: case 0x15: case 0x16: case 0x1C:
                    return Operand.Token; // ldftn, ldvirtftn, initobj, constrained., sizeof
                case 0x09: case 0x0A: case 0x0B: case 0x0C: case 0x0D: case 0x0E:
                    return Operand.Int16;
                case 0x12: case 0x19:
                    return Operand.Int8; // unaligned., no.
                default:
                    return null;
            }
        }

        private static bool OneByteDefined(byte op)
        {
            // Gaps in the one-byte opcode space (0x24, 0x77-0x78, 0xA6-0xB2, 0xBB-0xC1, 0xC4-0xC5, 0xC7-0xCF, 0xE1-0xFD, 0xFF).
            if (op == 0x24 || op == 0x77 || op == 0x78) return false;
            if (op >= 0xA6 && op <= 0xB2) return false;
            if (op >= 0xBB && op <= 0xC1) return false;
            if (op == 0xC4 || op == 0xC5) return false;
            if (op >= 0xC7 && op <= 0xCF) return false;
            if (op >= 0xE1) return false;
            return true;
        }

        private static readonly Dictionary<int, string> OpNames = new()
        {
            [0x27] = "jmp", [0x28] = "call", [0x29] = "calli", [0x6F] = "callvirt", [0x70] = "cpobj", [0x71] = "ldobj",
            [0x72] = "ldstr", [0x73] = "newobj", [0x74] = "castclass", [0x75] = "isinst", [0x79] = "unbox",
            [0x7B] = "ldfld", [0x7C] = "ldflda", [0x7D] = "stfld", [0x7E] = "ldsfld", [0x7F] = "ldsflda", [0x80] = "stsfld",
            [0x81] = "stobj", [0x8C] = "box", [0x8D] = "newarr", [0x8F] = "ldelema", [0xA3] = "ldelem", [0xA4] = "stelem",
            [0xA5] = "unbox.any", [0xC2] = "refanyval", [0xC6] = "mkrefany", [0xD0] = "ldtoken",
            [0xFE06] = "ldftn", [0xFE07] = "ldvirtftn", [0xFE15] = "initobj", [0xFE16] = "constrained.", [0xFE1C] = "sizeof",
        };

        private unsafe void CheckIl(Generation gen)
        {
            int n = gen.Number;
            var r = gen.Reader!;
            byte[] dil = File.ReadAllBytes(gen.Files!.Il!);
            Info($"gen {n}: il {gen.Files.Il} ({dil.Length} bytes)");

            var methodTokens = gen.Rows[(int)TableIndex.MethodDef];
            int rows = Math.Min(r.GetTableRowCount(TableIndex.MethodDef), methodTokens.Count);
            for (int k = 1; k <= rows; k++)
            {
                int tok = methodTokens[k - 1];
                MethodDefinition md;
                try
                {
                    md = r.GetMethodDefinition(MetadataTokens.MethodDefinitionHandle(k));
                }
                catch (Exception e)
                {
                    Error($"gen {n}: MethodDef {Hex(tok)}: SRM cannot read the row: {e.Message}");
                    continue;
                }

                int rva = md.RelativeVirtualAddress;
                if (rva == 0) continue;
                if (rva < 0 || rva >= dil.Length)
                {
                    Error($"gen {n}: MethodDef {Hex(tok)}: RVA 0x{rva:X} is outside the IL delta ({dil.Length} bytes)");
                    continue;
                }

                MethodBodyBlock body;
                try
                {
                    fixed (byte* p = dil)
                    {
                        body = MethodBodyBlock.Create(new BlobReader(p + rva, dil.Length - rva));
                    }
                }
                catch (Exception e)
                {
                    Error($"gen {n}: MethodDef {Hex(tok)}: body at 0x{rva:X} cannot be parsed: {e.GetType().Name}: {e.Message}");
                    continue;
                }

                byte[] il = body.GetILBytes() ?? Array.Empty<byte>();
                gen.BodyLocals[RidOf(tok)] = body.LocalSignature.IsNil ? 0 : MetadataTokens.GetToken(body.LocalSignature);
                string locals = body.LocalSignature.IsNil ? "none" : Tok(body.LocalSignature);
                Info($"gen {n}: body {Hex(tok)} rva=0x{rva:X} size={body.Size} il={il.Length} maxstack={body.MaxStack} " +
                     $"locals={locals} init={body.LocalVariablesInitialized} eh={body.ExceptionRegions.Length}");

                if (!body.LocalSignature.IsNil)
                {
                    CheckTokenInRange(n, tok, "local signature", MetadataTokens.GetToken(body.LocalSignature), expectTable: (int)TableIndex.StandAloneSig);
                }

                foreach (var region in body.ExceptionRegions)
                {
                    if (region.TryOffset < 0 || region.TryOffset + region.TryLength > il.Length ||
                        region.HandlerOffset < 0 || region.HandlerOffset + region.HandlerLength > il.Length)
                    {
                        Error($"gen {n}: body {Hex(tok)}: {region.Kind} region try {region.TryOffset}+{region.TryLength} handler {region.HandlerOffset}+{region.HandlerLength} exceeds IL size {il.Length}");
                    }

                    if (region.Kind == ExceptionRegionKind.Catch)
                        CheckTokenInRange(n, tok, "catch type", MetadataTokens.GetToken(region.CatchType), expectTable: -1);
                }

                DecodeIl(n, tok, il);
            }
        }

        private void DecodeIl(int n, int method, byte[] il)
        {
            var starts = new HashSet<int>();
            var targets = new List<(int at, int target)>();
            int pos = 0;
            while (pos < il.Length)
            {
                int at = pos;
                starts.Add(at);
                int code = il[pos++];
                Operand kind;
                if (code == 0xFE)
                {
                    if (pos >= il.Length)
                    {
                        Error($"gen {n}: body {Hex(method)}: IL_{at:X4}: truncated two-byte opcode");
                        return;
                    }

                    byte second = il[pos++];
                    Operand? k2 = TwoByteOperand(second);
                    if (k2 == null)
                    {
                        Error($"gen {n}: body {Hex(method)}: IL_{at:X4}: undefined opcode FE {second:X2}");
                        return;
                    }

                    kind = k2.Value;
                    code = 0xFE00 | second;
                }
                else
                {
                    if (!OneByteDefined((byte)code))
                    {
                        Error($"gen {n}: body {Hex(method)}: IL_{at:X4}: undefined opcode {code:X2}");
                        return;
                    }

                    kind = OneByteOperand((byte)code);
                }

                int size = kind switch
                {
                    Operand.None => 0,
                    Operand.Int8 or Operand.Branch8 => 1,
                    Operand.Int16 => 2,
                    Operand.Int64 or Operand.Float64 => 8,
                    Operand.Switch => 4,
                    _ => 4,
                };

                if (pos + size > il.Length)
                {
                    Error($"gen {n}: body {Hex(method)}: IL_{at:X4}: operand runs past the end of the IL ({il.Length} bytes)");
                    return;
                }

                switch (kind)
                {
                    case Operand.Branch8:
                        targets.Add((at, pos + 1 + (sbyte)il[pos]));
                        break;
                    case Operand.Branch32:
                        targets.Add((at, pos + 4 + BitConverter.ToInt32(il, pos)));
                        break;
                    case Operand.Switch:
                    {
                        int count = BitConverter.ToInt32(il, pos);
                        long end = pos + 4 + 4L * count;
                        if (count < 0 || end > il.Length)
                        {
                            Error($"gen {n}: body {Hex(method)}: IL_{at:X4}: switch with {count} targets runs past the end of the IL");
                            return;
                        }

                        for (int i = 0; i < count; i++)
                            targets.Add((at, (int)end + BitConverter.ToInt32(il, pos + 4 + 4 * i)));
                        size = (int)(end - pos);
                        break;
                    }
                    case Operand.String:
                    {
                        int token = BitConverter.ToInt32(il, pos);
                        if (TableOf(token) != 0x70)
                        {
                            Error($"gen {n}: body {Hex(method)}: IL_{at:X4}: ldstr operand {Hex(token)} is not a user-string token");
                            break;
                        }

                        if (_agg == null) break; // aggregator rejected the chain (already reported)
                        string? s = ResolveUserString(n, $"body {Hex(method)} IL_{at:X4} ldstr {Hex(token)}", MetadataTokens.UserStringHandle(RidOf(token)));
                        if (s != null) Info($"gen {n}:   IL_{at:X4} ldstr {Hex(token)} \"{Escape(s)}\"");
                        break;
                    }
                    case Operand.Token:
                    {
                        int token = BitConverter.ToInt32(il, pos);
                        string opName = OpNames.TryGetValue(code, out var nm) ? nm : $"op{code:X2}";
                        int expect = code == 0x29 ? (int)TableIndex.StandAloneSig : -1;
                        if (CheckTokenInRange(n, method, $"IL_{at:X4} {opName}", token, expect))
                        {
                            string? name = _agg != null ? TryNameOf(token, n) : null;
                            Info($"gen {n}:   IL_{at:X4} {opName} {Hex(token)}{(name != null ? " " + name : "")}");
                        }

                        break;
                    }
                }

                pos += size;
            }

            foreach (var (at, target) in targets)
            {
                if (target < 0 || target >= il.Length || !starts.Contains(target))
                    Error($"gen {n}: body {Hex(method)}: IL_{at:X4}: branch target IL_{target:X4} is not an instruction boundary");
            }
        }

        /// <summary>A token used by gen N's IL must name a row that exists once gens 0..N are applied.</summary>
        private bool CheckTokenInRange(int n, int method, string what, int token, int expectTable)
        {
            int t = TableOf(token), rid = RidOf(token);
            if (t >= MetadataTokens.TableCount)
            {
                Error($"gen {n}: body {Hex(method)}: {what} {Hex(token)} names no metadata table");
                return false;
            }

            if (expectTable >= 0 && t != expectTable)
            {
                Error($"gen {n}: body {Hex(method)}: {what} {Hex(token)} should be a {(TableIndex)expectTable} token");
                return false;
            }

            int have = _gens[n].Cumulative[t];
            if (rid == 0 || rid > have)
            {
                Error($"gen {n}: body {Hex(method)}: {what} {Hex(token)}: {(TableIndex)t} has only {have} row(s) up to gen {n}");
                return false;
            }

            return true;
        }

        private static string Escape(string s)
        {
            var sb = new StringBuilder();
            foreach (char c in s)
            {
                if (c == '"' || c == '\\') sb.Append('\\').Append(c);
                else if (c < 0x20 || c == 0x7F) sb.Append($"\\u{(int)c:X4}");
                else sb.Append(c);
            }

            return sb.ToString();
        }
    }
}
