using System;
using System.Collections.Generic;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Text;

namespace DeltaVerify
{
    internal sealed partial class Verifier
    {
        /// <summary>Columns of one delta row that SRM exposes.</summary>
        private sealed class RowColumns
        {
            public string? Display;                   // resolved name for printing
            public StringHandle Name;                 // main name
            public StringHandle Namespace;
            public readonly List<(string col, Handle h)> Heap = new();
            public readonly List<(string col, EntityHandle h)> Refs = new();
        }

        private void CheckRows(Generation gen)
        {
            int n = gen.Number;
            var r = gen.Reader!;
            var prev = _gens[n - 1];
            foreach (var t in AllTables)
            {
                if (t == TableIndex.EncLog || t == TableIndex.EncMap) continue;
                int rows = r.GetTableRowCount(t);
                var tokens = gen.Rows[(int)t];
                for (int k = 1; k <= rows; k++)
                {
                    if (k > tokens.Count) break; // already reported as EncMap/table mismatch
                    int tok = tokens[k - 1];
                    bool insert = gen.Inserted.Contains(tok);

                    // 1. The EncMap token must map back to this row (added) or to an earlier generation (updated).
                    try
                    {
                        var gh = _agg!.GetGenerationHandle(MetadataTokens.EntityHandle(tok), out int g);
                        int rel = MetadataTokens.GetToken(gh) & 0xFFFFFF;
                        if (insert && (g != n || rel != k))
                            Error($"gen {n}: {t} {Hex(tok)} was added in gen {n} (delta row {k}) but the aggregator maps it to gen {g} row {rel}");
                        else if (!insert && g >= n)
                            Error($"gen {n}: {t} {Hex(tok)} is an update but the aggregator maps it to gen {g} (expected an earlier generation)");
                    }
                    catch (Exception e)
                    {
                        Error($"gen {n}: aggregator cannot map {t} {Hex(tok)}: {e.GetType().Name}: {e.Message}");
                    }

                    // 2. Columns: heap handles and row references.
                    RowColumns? cols;
                    try
                    {
                        cols = ReadColumns(r, t, k);
                    }
                    catch (Exception e)
                    {
                        Error($"gen {n}: SRM cannot read {t} row {k} ({Hex(tok)}): {e.GetType().Name}: {e.Message}");
                        continue;
                    }

                    if (cols == null) continue;

                    string? name = null;
                    if (!cols.Name.IsNil || t == TableIndex.Module)
                        name = ResolveString(n, $"{t} {Hex(tok)} name", cols.Name);
                    string? ns = cols.Namespace.IsNil ? "" : ResolveString(n, $"{t} {Hex(tok)} namespace", cols.Namespace);

                    foreach (var (col, h) in cols.Heap)
                    {
                        ResolveHeapValue(n, $"{t} {Hex(tok)} {col}", h);
                    }

                    var refText = new StringBuilder();
                    foreach (var (col, h) in cols.Refs)
                    {
                        if (h.IsNil) continue;
                        CheckRowReference(n, $"{t} {Hex(tok)} {col}", h);
                        refText.Append($" {col}={Tok(h)}");
                        string? refName = TryNameOf(MetadataTokens.GetToken(h), n);
                        if (refName != null) refText.Append($"({refName})");
                    }

                    string shown = name == null ? "" : (string.IsNullOrEmpty(ns) ? name : ns + "." + name);
                    if (cols.Display != null) shown = (shown + " " + cols.Display).Trim();
                    Info($"gen {n}: {t} {Hex(tok)} {shown}{(insert ? " [add]" : " [update]")}{refText}".Replace("  ", " "));
                }
            }
        }

        private static RowColumns? ReadColumns(MetadataReader r, TableIndex t, int row)
        {
            var c = new RowColumns();
            switch (t)
            {
                case TableIndex.Module:
                {
                    var m = r.GetModuleDefinition();
                    c.Name = m.Name;
                    c.Heap.Add(("mvid", m.Mvid));
                    c.Heap.Add(("encid", m.GenerationId));
                    c.Heap.Add(("encbaseid", m.BaseGenerationId));
                    break;
                }
                case TableIndex.TypeRef:
                {
                    var x = r.GetTypeReference(MetadataTokens.TypeReferenceHandle(row));
                    c.Name = x.Name;
                    c.Namespace = x.Namespace;
                    c.Refs.Add(("scope", x.ResolutionScope));
                    break;
                }
                case TableIndex.TypeDef:
                {
                    var x = r.GetTypeDefinition(MetadataTokens.TypeDefinitionHandle(row));
                    c.Name = x.Name;
                    c.Namespace = x.Namespace;
                    c.Refs.Add(("extends", x.BaseType));
                    break;
                }
                case TableIndex.Field:
                {
                    var x = r.GetFieldDefinition(MetadataTokens.FieldDefinitionHandle(row));
                    c.Name = x.Name;
                    c.Heap.Add(("signature", x.Signature));
                    break;
                }
                case TableIndex.MethodDef:
                {
                    var x = r.GetMethodDefinition(MetadataTokens.MethodDefinitionHandle(row));
                    c.Name = x.Name;
                    c.Heap.Add(("signature", x.Signature));
                    c.Display = $"rva=0x{x.RelativeVirtualAddress:X} attrs=0x{(int)x.Attributes:X4}";
                    break;
                }
                case TableIndex.Param:
                {
                    var x = r.GetParameter(MetadataTokens.ParameterHandle(row));
                    c.Name = x.Name;
                    c.Display = $"seq={x.SequenceNumber}";
                    break;
                }
                case TableIndex.InterfaceImpl:
                {
                    var x = r.GetInterfaceImplementation(MetadataTokens.InterfaceImplementationHandle(row));
                    c.Refs.Add(("interface", x.Interface));
                    break;
                }
                case TableIndex.MemberRef:
                {
                    var x = r.GetMemberReference(MetadataTokens.MemberReferenceHandle(row));
                    c.Name = x.Name;
                    c.Heap.Add(("signature", x.Signature));
                    c.Refs.Add(("parent", x.Parent));
                    break;
                }
                case TableIndex.Constant:
                {
                    var x = r.GetConstant(MetadataTokens.ConstantHandle(row));
                    c.Heap.Add(("value", x.Value));
                    c.Refs.Add(("parent", x.Parent));
                    break;
                }
                case TableIndex.CustomAttribute:
                {
                    var x = r.GetCustomAttribute(MetadataTokens.CustomAttributeHandle(row));
                    c.Heap.Add(("value", x.Value));
                    c.Refs.Add(("parent", x.Parent));
                    c.Refs.Add(("ctor", x.Constructor));
                    break;
                }
                case TableIndex.DeclSecurity:
                {
                    var x = r.GetDeclarativeSecurityAttribute(MetadataTokens.DeclarativeSecurityAttributeHandle(row));
                    c.Heap.Add(("permissions", x.PermissionSet));
                    c.Refs.Add(("parent", x.Parent));
                    break;
                }
                case TableIndex.StandAloneSig:
                {
                    var x = r.GetStandaloneSignature(MetadataTokens.StandaloneSignatureHandle(row));
                    c.Heap.Add(("signature", x.Signature));
                    break;
                }
                case TableIndex.Event:
                {
                    var x = r.GetEventDefinition(MetadataTokens.EventDefinitionHandle(row));
                    c.Name = x.Name;
                    c.Refs.Add(("type", x.Type));
                    break;
                }
                case TableIndex.Property:
                {
                    var x = r.GetPropertyDefinition(MetadataTokens.PropertyDefinitionHandle(row));
                    c.Name = x.Name;
                    c.Heap.Add(("signature", x.Signature));
                    break;
                }
                case TableIndex.MethodImpl:
                {
                    var x = r.GetMethodImplementation(MetadataTokens.MethodImplementationHandle(row));
                    c.Refs.Add(("class", x.Type));
                    c.Refs.Add(("body", x.MethodBody));
                    c.Refs.Add(("decl", x.MethodDeclaration));
                    break;
                }
                case TableIndex.ModuleRef:
                {
                    var x = r.GetModuleReference(MetadataTokens.ModuleReferenceHandle(row));
                    c.Name = x.Name;
                    break;
                }
                case TableIndex.TypeSpec:
                {
                    var x = r.GetTypeSpecification(MetadataTokens.TypeSpecificationHandle(row));
                    c.Heap.Add(("signature", x.Signature));
                    break;
                }
                case TableIndex.Assembly:
                {
                    var x = r.GetAssemblyDefinition();
                    c.Name = x.Name;
                    c.Heap.Add(("publickey", x.PublicKey));
                    if (!x.Culture.IsNil) c.Heap.Add(("culture", x.Culture));
                    break;
                }
                case TableIndex.AssemblyRef:
                {
                    var x = r.GetAssemblyReference(MetadataTokens.AssemblyReferenceHandle(row));
                    c.Name = x.Name;
                    c.Display = x.Version.ToString();
                    c.Heap.Add(("publickey", x.PublicKeyOrToken));
                    c.Heap.Add(("hash", x.HashValue));
                    if (!x.Culture.IsNil) c.Heap.Add(("culture", x.Culture));
                    break;
                }
                case TableIndex.ExportedType:
                {
                    var x = r.GetExportedType(MetadataTokens.ExportedTypeHandle(row));
                    c.Name = x.Name;
                    c.Namespace = x.Namespace;
                    c.Refs.Add(("implementation", x.Implementation));
                    break;
                }
                case TableIndex.GenericParam:
                {
                    var x = r.GetGenericParameter(MetadataTokens.GenericParameterHandle(row));
                    c.Name = x.Name;
                    c.Display = $"index={x.Index}";
                    c.Refs.Add(("owner", x.Parent));
                    break;
                }
                case TableIndex.MethodSpec:
                {
                    var x = r.GetMethodSpecification(MetadataTokens.MethodSpecificationHandle(row));
                    c.Heap.Add(("instantiation", x.Signature));
                    c.Refs.Add(("method", x.Method));
                    break;
                }
                case TableIndex.GenericParamConstraint:
                {
                    var x = r.GetGenericParameterConstraint(MetadataTokens.GenericParameterConstraintHandle(row));
                    c.Refs.Add(("param", x.Parameter));
                    c.Refs.Add(("type", x.Type));
                    break;
                }
                default:
                    // Tables whose columns SRM does not expose by row (MethodSemantics, NestedClass, layouts, ...):
                    // only the EncMap mapping is checked.
                    return c;
            }

            return c;
        }

        // ------------------------------------------------------------------ references and heaps

        /// <summary>A row reference in gen N must name a row that exists once gens 0..N are applied.</summary>
        private void CheckRowReference(int n, string what, EntityHandle h)
        {
            int tok = MetadataTokens.GetToken(h);
            int t = TableOf(tok), rid = RidOf(tok);
            if (t >= MetadataTokens.TableCount)
            {
                Error($"gen {n}: {what} {Hex(tok)} names an unknown table");
                return;
            }

            int have = _gens[n].Cumulative[t];
            if (rid == 0 || rid > have)
            {
                Error($"gen {n}: {what} {Hex(tok)}: {(TableIndex)t} has only {have} row(s) up to gen {n}");
                return;
            }

            try
            {
                _agg!.GetGenerationHandle(h, out int g);
                if (g > n) Error($"gen {n}: {what} {Hex(tok)} maps to a later generation {g}");
            }
            catch (Exception e)
            {
                Error($"gen {n}: {what} {Hex(tok)}: aggregator cannot map it: {e.GetType().Name}: {e.Message}");
            }
        }

        /// <summary>Maps an aggregate heap handle to (generation, generation-relative handle) or reports why not.</summary>
        private bool MapHeap(int n, string what, Handle h, out int g, out Handle rel)
        {
            g = -1;
            rel = default;
            int offset = MetadataTokens.GetHeapOffset(h);
            try
            {
                rel = _agg!.GetGenerationHandle(h, out g);
            }
            catch (Exception e)
            {
                Error($"gen {n}: {what}: {h.Kind} offset 0x{offset:X} cannot be resolved through the aggregator: {e.GetType().Name}: {e.Message}");
                return false;
            }

            if (g > n)
            {
                Error($"gen {n}: {what}: {h.Kind} offset 0x{offset:X} lies in the heap of a later generation ({g})");
                return false;
            }

            return true;
        }

        private string? ResolveString(int n, string what, StringHandle h)
        {
            if (h.IsNil) return "";
            if (!MapHeap(n, what, h, out int g, out Handle rel)) return null;
            try
            {
                return _gens[g].Reader!.GetString((StringHandle)rel);
            }
            catch (Exception e)
            {
                Error($"gen {n}: {what}: string at aggregate offset 0x{MetadataTokens.GetHeapOffset(h):X} (gen {g} offset 0x{MetadataTokens.GetHeapOffset(rel):X}) unreadable: {e.GetType().Name}: {e.Message}");
                return null;
            }
        }

        private string? ResolveUserString(int n, string what, UserStringHandle h)
        {
            if (!MapHeap(n, what, h, out int g, out Handle rel)) return null;
            try
            {
                return _gens[g].Reader!.GetUserString((UserStringHandle)rel);
            }
            catch (Exception e)
            {
                Error($"gen {n}: {what}: user string at aggregate offset 0x{MetadataTokens.GetHeapOffset(h):X} (gen {g} offset 0x{MetadataTokens.GetHeapOffset(rel):X}) unreadable: {e.GetType().Name}: {e.Message}");
                return null;
            }
        }

        private void ResolveHeapValue(int n, string what, Handle h)
        {
            if (h.IsNil) return;
            if (h.Kind == HandleKind.Guid)
            {
                ModuleGuidNote(n, what, (GuidHandle)h);
                return;
            }

            if (!MapHeap(n, what, h, out int g, out Handle rel)) return;
            try
            {
                var reader = _gens[g].Reader!;
                switch (h.Kind)
                {
                    case HandleKind.String:
                        reader.GetString((StringHandle)rel);
                        break;
                    case HandleKind.Blob:
                        reader.GetBlobBytes((BlobHandle)rel);
                        break;
                    case HandleKind.Guid:
                        break; // handled by ModuleGuidNote before MapHeap
                    case HandleKind.UserString:
                        reader.GetUserString((UserStringHandle)rel);
                        break;
                }
            }
            catch (Exception e)
            {
                Error($"gen {n}: {what}: {h.Kind} at aggregate offset 0x{MetadataTokens.GetHeapOffset(h):X} (gen {g} offset 0x{MetadataTokens.GetHeapOffset(rel):X}) unreadable: {e.GetType().Name}: {e.Message}");
            }
        }

        /// <summary>
        /// GUID indices are read from the delta's own #GUID heap (Roslyn's delta GUID heaps repeat the earlier
        /// GUIDs, so the index is valid in the delta itself; that was checked with the Module row).
        /// MetadataAggregator adds up whole GUID heap sizes yet keeps the index unchanged, so for later
        /// generations it can name a generation whose heap is too short: that is reported as a note, not an error.
        /// </summary>
        private void ModuleGuidNote(int n, string what, GuidHandle h)
        {
            int index = MetadataTokens.GetHeapOffset(h);
            Guid? direct = TryGuid(_gens[n].Reader!, h);
            Handle rel;
            int g;
            try
            {
                rel = _agg!.GetGenerationHandle(h, out g);
            }
            catch (Exception e)
            {
                Info($"note: gen {n}: {what}: GUID #{index} = {direct?.ToString() ?? "unreadable"} in the delta; MetadataAggregator cannot map it ({e.GetType().Name}: {e.Message})");
                return;
            }

            try
            {
                Guid viaAgg = _gens[g].Reader!.GetGuid((GuidHandle)rel);
                if (direct != null && direct != viaAgg)
                    Info($"note: gen {n}: {what}: GUID #{index} is {direct} in the delta; the aggregator's gen {g} reading differs ({viaAgg})");
            }
            catch (Exception e)
            {
                Info($"note: gen {n}: {what}: GUID #{index} = {direct?.ToString() ?? "unreadable"} in the delta; MetadataAggregator maps it to gen {g}, whose #GUID heap is shorter ({e.GetType().Name})");
            }
        }

        /// <summary>Best-effort name of a row token as of generation n (no errors reported).</summary>
        private string? TryNameOf(int token, int n)
        {
            try
            {
                int t = TableOf(token);
                if (t >= MetadataTokens.TableCount || RidOf(token) == 0 || RidOf(token) > _gens[n].Cumulative[t]) return null;
                var gh = _agg!.GetGenerationHandle(MetadataTokens.EntityHandle(token), out int g);
                if (g > n) return null;
                var reader = _gens[g].Reader!;
                StringHandle name, ns = default;
                switch ((TableIndex)t)
                {
                    case TableIndex.TypeRef:
                    {
                        var x = reader.GetTypeReference((TypeReferenceHandle)(EntityHandle)gh);
                        name = x.Name;
                        ns = x.Namespace;
                        break;
                    }
                    case TableIndex.TypeDef:
                    {
                        var x = reader.GetTypeDefinition((TypeDefinitionHandle)(EntityHandle)gh);
                        name = x.Name;
                        ns = x.Namespace;
                        break;
                    }
                    case TableIndex.MethodDef:
                        name = reader.GetMethodDefinition((MethodDefinitionHandle)(EntityHandle)gh).Name;
                        break;
                    case TableIndex.Field:
                        name = reader.GetFieldDefinition((FieldDefinitionHandle)(EntityHandle)gh).Name;
                        break;
                    case TableIndex.MemberRef:
                        name = reader.GetMemberReference((MemberReferenceHandle)(EntityHandle)gh).Name;
                        break;
                    case TableIndex.AssemblyRef:
                        name = reader.GetAssemblyReference((AssemblyReferenceHandle)(EntityHandle)gh).Name;
                        break;
                    case TableIndex.ModuleRef:
                        name = reader.GetModuleReference((ModuleReferenceHandle)(EntityHandle)gh).Name;
                        break;
                    case TableIndex.MethodSpec:
                    {
                        var m = reader.GetMethodSpecification((MethodSpecificationHandle)(EntityHandle)gh).Method;
                        var inner = TryNameOf(MetadataTokens.GetToken(m), n);
                        return inner == null ? null : inner + "<...>";
                    }
                    default:
                        return null;
                }

                string s = SilentString(name) ?? "?";
                string? nsText = ns.IsNil ? null : SilentString(ns);
                return string.IsNullOrEmpty(nsText) ? s : nsText + "." + s;
            }
            catch
            {
                return null;
            }
        }

        private string? SilentString(StringHandle h)
        {
            if (h.IsNil) return "";
            try
            {
                var rel = _agg!.GetGenerationHandle(h, out int g);
                return _gens[g].Reader!.GetString((StringHandle)rel);
            }
            catch
            {
                return null;
            }
        }
    }
}
