using System;
using System.Collections.Immutable;
using System.IO;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Runtime.InteropServices;
using System.Text;

namespace SrmDump;

/// <summary>Writes the canonical dump of one file.</summary>
internal sealed class Dumper
{
    private const int TableCount = 0x38;

    /// <summary>Table names by table number (null: no such table).</summary>
    private static readonly string?[] TableNames = CreateTableNames();

    /// <summary>SRMDUMP_TRACE=1 prints the stack trace of file-level errors to stderr.</summary>
    private static readonly bool TraceErrors = Environment.GetEnvironmentVariable("SRMDUMP_TRACE") == "1";

    private readonly TextWriter _writer;
    private readonly StringBuilder _sb = new(1024);

    public Dumper(TextWriter writer)
    {
        _writer = writer;
    }

    private static string?[] CreateTableNames()
    {
        var names = new string?[TableCount];
        names[0x00] = "Module";
        names[0x01] = "TypeRef";
        names[0x02] = "TypeDef";
        names[0x03] = "FieldPtr";
        names[0x04] = "Field";
        names[0x05] = "MethodPtr";
        names[0x06] = "MethodDef";
        names[0x07] = "ParamPtr";
        names[0x08] = "Param";
        names[0x09] = "InterfaceImpl";
        names[0x0A] = "MemberRef";
        names[0x0B] = "Constant";
        names[0x0C] = "CustomAttribute";
        names[0x0D] = "FieldMarshal";
        names[0x0E] = "DeclSecurity";
        names[0x0F] = "ClassLayout";
        names[0x10] = "FieldLayout";
        names[0x11] = "StandAloneSig";
        names[0x12] = "EventMap";
        names[0x13] = "EventPtr";
        names[0x14] = "Event";
        names[0x15] = "PropertyMap";
        names[0x16] = "PropertyPtr";
        names[0x17] = "Property";
        names[0x18] = "MethodSemantics";
        names[0x19] = "MethodImpl";
        names[0x1A] = "ModuleRef";
        names[0x1B] = "TypeSpec";
        names[0x1C] = "ImplMap";
        names[0x1D] = "FieldRVA";
        names[0x1E] = "EncLog";
        names[0x1F] = "EncMap";
        names[0x20] = "Assembly";
        names[0x21] = "AssemblyProcessor";
        names[0x22] = "AssemblyOS";
        names[0x23] = "AssemblyRef";
        names[0x24] = "AssemblyRefProcessor";
        names[0x25] = "AssemblyRefOS";
        names[0x26] = "File";
        names[0x27] = "ExportedType";
        names[0x28] = "ManifestResource";
        names[0x29] = "NestedClass";
        names[0x2A] = "GenericParam";
        names[0x2B] = "MethodSpec";
        names[0x2C] = "GenericParamConstraint";
        names[0x30] = "Document";
        names[0x31] = "MethodDebugInformation";
        names[0x32] = "LocalScope";
        names[0x33] = "LocalVariable";
        names[0x34] = "LocalConstant";
        names[0x35] = "ImportScope";
        names[0x36] = "StateMachineMethod";
        names[0x37] = "CustomDebugInformation";
        return names;
    }

    // ------------------------------------------------------------------ lines

    private StringBuilder Sb => _sb;

    private void EndLine()
    {
        _sb.Append('\n');
        _writer.Write(_sb);
        _sb.Clear();
    }

    private void Line(string text)
    {
        _writer.Write(text);
        _writer.Write('\n');
    }

    // ------------------------------------------------------------------ entry

    public void DumpPath(string path)
    {
        try
        {
            byte[] bytes = File.ReadAllBytes(path);
            DumpBytes(bytes);
        }
        catch (Exception e)
        {
            // Drop a partially built line; everything already written stays.
            _sb.Clear();
            Line("error " + e.GetType().Name);
            if (TraceErrors)
            {
                Console.Error.WriteLine($"{path}: {e}");
            }
        }

        _writer.Flush();
    }

    private void DumpBytes(byte[] bytes)
    {
        if (bytes.Length >= 2 && bytes[0] == (byte)'M' && bytes[1] == (byte)'Z')
        {
            DumpPe(bytes);
        }
        else if (bytes.Length >= 4 && bytes[0] == (byte)'B' && bytes[1] == (byte)'S' && bytes[2] == (byte)'J' && bytes[3] == (byte)'B')
        {
            Line("file kind=metadata");
            using MetadataReaderProvider provider = MetadataReaderProvider.FromMetadataImage(ImmutableCollectionsMarshal.AsImmutableArray(bytes));
            MetadataReader reader = provider.GetMetadataReader(MetadataReaderOptions.None);
            DumpMetadata(reader);
        }
        else
        {
            Line("error unrecognized");
        }
    }

    // ------------------------------------------------------------------ PE

    private void DumpPe(byte[] bytes)
    {
        Line("file kind=pe");
        using var pe = new PEReader(ImmutableCollectionsMarshal.AsImmutableArray(bytes));
        PEHeaders headers = pe.PEHeaders;
        if (!pe.HasMetadata)
        {
            Line("not-managed");
            return;
        }

        CorHeader cor = headers.CorHeader!;
        Sb.Append("cor flags=").Append((uint)cor.Flags)
          .Append(" entrypoint=").Append((uint)cor.EntryPointTokenOrRelativeVirtualAddress);
        AppendDirectory(" metadata=", cor.MetadataDirectory);
        AppendDirectory(" resources=", cor.ResourcesDirectory);
        AppendDirectory(" strongname=", cor.StrongNameSignatureDirectory);
        EndLine();

        foreach (SectionHeader section in headers.SectionHeaders)
        {
            Sb.Append("section name=").AppendQuoted(section.Name)
              .Append(" va=").Append((uint)section.VirtualAddress)
              .Append(" vsize=").Append((uint)section.VirtualSize)
              .Append(" raw=").Append((uint)section.PointerToRawData)
              .Append(" rawsize=").Append((uint)section.SizeOfRawData);
            EndLine();
        }

        ImmutableArray<DebugDirectoryEntry> debug = pe.ReadDebugDirectory();
        foreach (DebugDirectoryEntry entry in debug)
        {
            Sb.Append("debug type=").Append((int)entry.Type)
              .Append(" stamp=").Append(entry.Stamp)
              .Append(" major=").Append(entry.MajorVersion)
              .Append(" minor=").Append(entry.MinorVersion)
              .Append(" size=").Append((uint)entry.DataSize)
              .Append(" rva=").Append((uint)entry.DataRelativeVirtualAddress)
              .Append(" pointer=").Append((uint)entry.DataPointer);
            EndLine();

            if (entry.Type == DebugDirectoryEntryType.CodeView)
            {
                CodeViewDebugDirectoryData cv = pe.ReadCodeViewDebugDirectoryData(entry);
                Sb.Append("codeview guid=").AppendGuid(cv.Guid)
                  .Append(" age=").Append((uint)cv.Age)
                  .Append(" path=").AppendQuoted(cv.Path);
                EndLine();
            }
            else if (entry.Type == DebugDirectoryEntryType.PdbChecksum)
            {
                PdbChecksumDebugDirectoryData pc = pe.ReadPdbChecksumDebugDirectoryData(entry);
                Sb.Append("pdbchecksum algorithm=").AppendQuoted(pc.AlgorithmName)
                  .Append(" checksum=").AppendBytesHex(pc.Checksum);
                EndLine();
            }
        }

        MetadataReader reader = pe.GetMetadataReader(MetadataReaderOptions.None);
        DumpMetadata(reader);
        DumpBodies(pe, reader);

        foreach (DebugDirectoryEntry entry in debug)
        {
            if (entry.Type != DebugDirectoryEntryType.EmbeddedPortablePdb)
            {
                continue;
            }

            using MetadataReaderProvider provider = pe.ReadEmbeddedPortablePdbDebugDirectoryData(entry);
            MetadataReader pdb = provider.GetMetadataReader(MetadataReaderOptions.None);
            Line("embedded-pdb begin");
            DumpMetadata(pdb);
            Line("embedded-pdb end");
        }
    }

    private void AppendDirectory(string key, DirectoryEntry dir)
        => Sb.Append(key).Append((uint)dir.RelativeVirtualAddress).Append(':').Append((uint)dir.Size);

    private void DumpBodies(PEReader pe, MetadataReader reader)
    {
        int count = reader.GetTableRowCount(TableIndex.MethodDef);
        for (int rid = 1; rid <= count; rid++)
        {
            MethodDefinition method = reader.GetMethodDefinition(MetadataTokens.MethodDefinitionHandle(rid));
            int rva = method.RelativeVirtualAddress;
            if (rva == 0 || (method.ImplAttributes & MethodImplAttributes.CodeTypeMask) != MethodImplAttributes.IL)
            {
                continue;
            }

            MethodBodyBlock body;
            BlobReader il;
            try
            {
                body = pe.GetMethodBody(rva);
                il = body.GetILReader();
            }
            catch (Exception)
            {
                _sb.Clear();
                Sb.Append("body ").Append(rid).Append(" error");
                EndLine();
                continue;
            }

            Sb.Append("body ").Append(rid)
              .Append(" size=").Append(body.Size)
              .Append(" maxstack=").Append(body.MaxStack)
              .Append(" locals=").AppendToken(body.LocalSignature)
              .Append(" init=").Append(body.LocalVariablesInitialized ? '1' : '0')
              .Append(" code=").Append(il.Length)
              .Append(" il=").AppendLowerHex8(Format.Fnv1a(il));
            EndLine();

            foreach (ExceptionRegion region in body.ExceptionRegions)
            {
                string kind = region.Kind switch
                {
                    ExceptionRegionKind.Catch => "catch",
                    ExceptionRegionKind.Filter => "filter",
                    ExceptionRegionKind.Finally => "finally",
                    ExceptionRegionKind.Fault => "fault",
                    _ => ((int)region.Kind).ToString(),
                };
                Sb.Append("eh ").Append(rid)
                  .Append(" kind=").Append(kind)
                  .Append(" try=").Append(region.TryOffset).Append('+').Append(region.TryLength)
                  .Append(" handler=").Append(region.HandlerOffset).Append('+').Append(region.HandlerLength)
                  .Append(" catch=").AppendToken(region.CatchType)
                  .Append(" filter=").Append(region.Kind == ExceptionRegionKind.Filter ? region.FilterOffset : 0);
                EndLine();
            }
        }
    }

    // ------------------------------------------------------------------ metadata (lines 3 to 9)

    private void DumpMetadata(MetadataReader reader)
    {
        Sb.Append("metadata version=").AppendQuoted(reader.MetadataVersion);
        EndLine();

        Heap(reader, "#Strings", HeapIndex.String);
        Heap(reader, "#US", HeapIndex.UserString);
        Heap(reader, "#Blob", HeapIndex.Blob);
        Heap(reader, "#GUID", HeapIndex.Guid);

        DebugMetadataHeader? pdbHeader = reader.DebugMetadataHeader;
        if (pdbHeader != null)
        {
            Sb.Append("pdb id=").AppendBytesHex(pdbHeader.Id)
              .Append(" entrypoint=").AppendToken(pdbHeader.EntryPoint);
            EndLine();
        }

        for (int t = 0; t < TableCount; t++)
        {
            string? name = TableNames[t];
            if (name == null)
            {
                continue;
            }

            var table = (TableIndex)t;
            int rows = reader.GetTableRowCount(table);
            if (rows == 0)
            {
                continue;
            }

            Sb.Append("table name=").Append(name)
              .Append(" rows=").Append(rows)
              .Append(" rowsize=").Append(reader.GetTableRowSize(table))
              .Append(" offset=").Append(reader.GetTableMetadataOffset(table));
            EndLine();
        }

        new RowPrinter(this, reader).PrintAll();

        // #US entries, from offset 1.
        UserStringHandle us = reader.GetNextHandle(default(UserStringHandle));
        while (!us.IsNil)
        {
            Sb.Append("us offset=").Append(reader.GetHeapOffset(us))
              .Append(" value=").AppendQuoted(reader.GetUserString(us));
            EndLine();
            us = reader.GetNextHandle(us);
        }

        // #Blob entries, from offset 1.
        BlobHandle blob = reader.GetNextHandle(default(BlobHandle));
        while (!blob.IsNil)
        {
            Sb.Append("blob offset=").Append(reader.GetHeapOffset(blob))
              .Append(" value=").AppendBlob(reader, blob);
            EndLine();
            blob = reader.GetNextHandle(blob);
        }
    }

    private void Heap(MetadataReader reader, string name, HeapIndex heap)
    {
        // SRM's offset of an absent heap is a meaningless pointer difference (it changes from
        // run to run), so an empty heap prints offset=0.
        int size = reader.GetHeapSize(heap);
        Sb.Append("heap name=").Append(name)
          .Append(" size=").Append(size)
          .Append(" offset=").Append(size == 0 ? 0 : reader.GetHeapMetadataOffset(heap));
        EndLine();
    }

    // ------------------------------------------------------------------ rows (line 7)

    private sealed class RowPrinter
    {
        private readonly Dumper _d;
        private readonly StringBuilder _sb;
        private readonly MetadataReader _r;
        private readonly SignatureDecoder<string, object?> _decoder;

        public RowPrinter(Dumper dumper, MetadataReader reader)
        {
            _d = dumper;
            _sb = dumper._sb;
            _r = reader;
            _decoder = new SignatureDecoder<string, object?>(SignatureFormatter.Instance, reader, genericContext: null);
        }

        private int Rows(TableIndex t) => _r.GetTableRowCount(t);

        private StringBuilder Row(string name, int rid) => _sb.Append(name).Append(' ').Append(rid);

        private void End() => _d.EndLine();

        // --- key helpers: each appends " key=value" ---

        private StringBuilder Key(string key) => _sb.Append(' ').Append(key).Append('=');

        private void Int(string key, long value) => Key(key).Append(value);

        private void Str(string key, StringHandle h) => Key(key).AppendString(_r, h);

        private void Tok(string key, EntityHandle h) => Key(key).AppendToken(h);

        private void Blob(string key, BlobHandle h) => Key(key).AppendBlob(_r, h);

        private void Guid(string key, GuidHandle h) => Key(key).AppendGuid(_r, h);

        private void Bool(string key, bool b) => Key(key).Append(b ? '1' : '0');

        private void Sig(string key, string sig) => Key(key).Append(sig);

        private void List(string key, int count, EntityHandle first)
        {
            Key(key).Append(count).Append('@');
            if (count == 0)
            {
                _sb.Append("nil");
            }
            else
            {
                _sb.AppendToken(first);
            }
        }

        private void ListOf(string key, FieldDefinitionHandleCollection c)
        {
            FieldDefinitionHandle first = default;
            foreach (FieldDefinitionHandle h in c) { first = h; break; }
            List(key, c.Count, first);
        }

        private void ListOf(string key, MethodDefinitionHandleCollection c)
        {
            MethodDefinitionHandle first = default;
            foreach (MethodDefinitionHandle h in c) { first = h; break; }
            List(key, c.Count, first);
        }

        private void ListOf(string key, EventDefinitionHandleCollection c)
        {
            EventDefinitionHandle first = default;
            foreach (EventDefinitionHandle h in c) { first = h; break; }
            List(key, c.Count, first);
        }

        private void ListOf(string key, PropertyDefinitionHandleCollection c)
        {
            PropertyDefinitionHandle first = default;
            foreach (PropertyDefinitionHandle h in c) { first = h; break; }
            List(key, c.Count, first);
        }

        private void ListOf(string key, ParameterHandleCollection c)
        {
            ParameterHandle first = default;
            foreach (ParameterHandle h in c) { first = h; break; }
            List(key, c.Count, first);
        }

        private void ListOf(string key, LocalVariableHandleCollection c)
        {
            LocalVariableHandle first = default;
            foreach (LocalVariableHandle h in c) { first = h; break; }
            List(key, c.Count, first);
        }

        private void ListOf(string key, LocalConstantHandleCollection c)
        {
            LocalConstantHandle first = default;
            foreach (LocalConstantHandle h in c) { first = h; break; }
            List(key, c.Count, first);
        }

        private void Tokens(string key, GenericParameterHandleCollection c)
        {
            Key(key).Append('[');
            bool sep = false;
            foreach (GenericParameterHandle h in c)
            {
                if (sep) _sb.Append(',');
                _sb.AppendToken(h);
                sep = true;
            }

            _sb.Append(']');
        }

        private void Tokens(string key, GenericParameterConstraintHandleCollection c)
        {
            Key(key).Append('[');
            bool sep = false;
            foreach (GenericParameterConstraintHandle h in c)
            {
                if (sep) _sb.Append(',');
                _sb.AppendToken(h);
                sep = true;
            }

            _sb.Append(']');
        }

        private void Tokens(string key, InterfaceImplementationHandleCollection c)
        {
            Key(key).Append('[');
            bool sep = false;
            foreach (InterfaceImplementationHandle h in c)
            {
                if (sep) _sb.Append(',');
                _sb.AppendToken(h);
                sep = true;
            }

            _sb.Append(']');
        }

        private void Tokens(string key, ImmutableArray<MethodDefinitionHandle> c)
        {
            Key(key).Append('[');
            for (int i = 0; i < c.Length; i++)
            {
                if (i > 0) _sb.Append(',');
                _sb.AppendToken(c[i]);
            }

            _sb.Append(']');
        }

        // --- signatures: any failure prints `error` ---

        private string MethodSig(BlobHandle h)
        {
            try
            {
                BlobReader br = _r.GetBlobReader(h);
                return SignatureFormatter.Method(_decoder.DecodeMethodSignature(ref br));
            }
            catch (Exception)
            {
                return "error";
            }
        }

        private string FieldSig(BlobHandle h)
        {
            try
            {
                BlobReader br = _r.GetBlobReader(h);
                return "field(" + _decoder.DecodeFieldSignature(ref br) + ")";
            }
            catch (Exception)
            {
                return "error";
            }
        }

        private string LocalsSig(BlobHandle h)
        {
            try
            {
                BlobReader br = _r.GetBlobReader(h);
                return SignatureFormatter.TypeList("locals", _decoder.DecodeLocalSignature(ref br));
            }
            catch (Exception)
            {
                return "error";
            }
        }

        private string SpecSig(BlobHandle h)
        {
            try
            {
                BlobReader br = _r.GetBlobReader(h);
                return SignatureFormatter.TypeList("spec", _decoder.DecodeMethodSpecificationSignature(ref br));
            }
            catch (Exception)
            {
                return "error";
            }
        }

        private string TypeSig(BlobHandle h)
        {
            try
            {
                BlobReader br = _r.GetBlobReader(h);
                return _decoder.DecodeType(ref br, allowTypeSpecifications: false);
            }
            catch (Exception)
            {
                return "error";
            }
        }

        /// <summary>First byte of a blob, or -1 when empty or unreadable.</summary>
        private int FirstByte(BlobHandle h)
        {
            try
            {
                BlobReader br = _r.GetBlobReader(h);
                return br.Length > 0 ? br.ReadByte() : -1;
            }
            catch (Exception)
            {
                return -1;
            }
        }

        // --- tables ---

        public void PrintAll()
        {
            PrintModule();
            PrintTypeRef();
            PrintTypeDef();
            PrintField();
            PrintMethodDef();
            PrintParam();
            PrintInterfaceImpl();
            PrintMemberRef();
            PrintConstant();
            PrintCustomAttribute();
            PrintDeclSecurity();
            PrintStandAloneSig();
            PrintEvent();
            PrintProperty();
            PrintMethodImpl();
            PrintModuleRef();
            PrintTypeSpec();
            PrintEncLog();
            PrintEncMap();
            PrintAssembly();
            PrintAssemblyRef();
            PrintFile();
            PrintExportedType();
            PrintManifestResource();
            PrintGenericParam();
            PrintMethodSpec();
            PrintGenericParamConstraint();
            PrintDocument();
            PrintMethodDebugInformation();
            PrintLocalScope();
            PrintLocalVariable();
            PrintLocalConstant();
            PrintImportScope();
            PrintCustomDebugInformation();
        }

        private void PrintModule()
        {
            // SRM exposes only the first Module row.
            if (Rows(TableIndex.Module) == 0)
            {
                return;
            }

            ModuleDefinition m = _r.GetModuleDefinition();
            Row("Module", 1);
            Int("generation", m.Generation);
            Str("name", m.Name);
            Guid("mvid", m.Mvid);
            Guid("encid", m.GenerationId);
            Guid("encbaseid", m.BaseGenerationId);
            End();
        }

        private void PrintTypeRef()
        {
            int n = Rows(TableIndex.TypeRef);
            for (int rid = 1; rid <= n; rid++)
            {
                TypeReference t = _r.GetTypeReference(MetadataTokens.TypeReferenceHandle(rid));
                Row("TypeRef", rid);
                Tok("scope", t.ResolutionScope);
                Str("name", t.Name);
                Str("namespace", t.Namespace);
                End();
            }
        }

        private void PrintTypeDef()
        {
            int n = Rows(TableIndex.TypeDef);
            for (int rid = 1; rid <= n; rid++)
            {
                TypeDefinition t = _r.GetTypeDefinition(MetadataTokens.TypeDefinitionHandle(rid));
                Row("TypeDef", rid);
                Int("flags", (uint)t.Attributes);
                Str("name", t.Name);
                Str("namespace", t.Namespace);
                Tok("extends", t.BaseType);
                ListOf("fields", t.GetFields());
                ListOf("methods", t.GetMethods());
                ListOf("events", t.GetEvents());
                ListOf("properties", t.GetProperties());
                TypeLayout layout = t.GetLayout();
                Key("layout").Append(layout.PackingSize).Append(':').Append(layout.Size);
                Tok("enclosing", t.GetDeclaringType());
                Tokens("interfaces", t.GetInterfaceImplementations());
                Tokens("generics", t.GetGenericParameters());
                End();
            }
        }

        private void PrintField()
        {
            int n = Rows(TableIndex.Field);
            for (int rid = 1; rid <= n; rid++)
            {
                FieldDefinition f = _r.GetFieldDefinition(MetadataTokens.FieldDefinitionHandle(rid));
                Row("Field", rid);
                Int("flags", (ushort)f.Attributes);
                Str("name", f.Name);
                Sig("sig", FieldSig(f.Signature));
                Int("offset", f.GetOffset());
                Int("rva", (uint)f.GetRelativeVirtualAddress());
                Blob("marshal", f.GetMarshallingDescriptor());
                Tok("constant", f.GetDefaultValue());
                End();
            }
        }

        private void PrintMethodDef()
        {
            int n = Rows(TableIndex.MethodDef);
            for (int rid = 1; rid <= n; rid++)
            {
                MethodDefinition m = _r.GetMethodDefinition(MetadataTokens.MethodDefinitionHandle(rid));
                Row("MethodDef", rid);
                Int("rva", (uint)m.RelativeVirtualAddress);
                Int("implflags", (ushort)m.ImplAttributes);
                Int("flags", (ushort)m.Attributes);
                Str("name", m.Name);
                Sig("sig", MethodSig(m.Signature));
                ListOf("params", m.GetParameters());
                MethodImport import = m.GetImport();
                Key("import");
                if (import.Module.IsNil)
                {
                    _sb.Append("nil");
                }
                else
                {
                    _sb.Append((ushort)import.Attributes).Append(':').AppendString(_r, import.Name).Append(':').AppendToken(import.Module);
                }

                Tokens("generics", m.GetGenericParameters());
                End();
            }
        }

        private void PrintParam()
        {
            int n = Rows(TableIndex.Param);
            for (int rid = 1; rid <= n; rid++)
            {
                Parameter p = _r.GetParameter(MetadataTokens.ParameterHandle(rid));
                Row("Param", rid);
                Int("flags", (ushort)p.Attributes);
                Int("sequence", p.SequenceNumber);
                Str("name", p.Name);
                Tok("constant", p.GetDefaultValue());
                Blob("marshal", p.GetMarshallingDescriptor());
                End();
            }
        }

        private void PrintInterfaceImpl()
        {
            int n = Rows(TableIndex.InterfaceImpl);
            for (int rid = 1; rid <= n; rid++)
            {
                InterfaceImplementation ii = _r.GetInterfaceImplementation(MetadataTokens.InterfaceImplementationHandle(rid));
                Row("InterfaceImpl", rid);
                Tok("interface", ii.Interface);
                End();
            }
        }

        private void PrintMemberRef()
        {
            int n = Rows(TableIndex.MemberRef);
            for (int rid = 1; rid <= n; rid++)
            {
                MemberReference m = _r.GetMemberReference(MetadataTokens.MemberReferenceHandle(rid));
                Row("MemberRef", rid);
                Tok("parent", m.Parent);
                Str("name", m.Name);
                Sig("sig", FirstByte(m.Signature) == 0x06 ? FieldSig(m.Signature) : MethodSig(m.Signature));
                End();
            }
        }

        private void PrintConstant()
        {
            int n = Rows(TableIndex.Constant);
            for (int rid = 1; rid <= n; rid++)
            {
                Constant c = _r.GetConstant(MetadataTokens.ConstantHandle(rid));
                Row("Constant", rid);
                Int("type", (byte)c.TypeCode);
                Tok("parent", c.Parent);
                Blob("value", c.Value);
                End();
            }
        }

        private void PrintCustomAttribute()
        {
            int n = Rows(TableIndex.CustomAttribute);
            for (int rid = 1; rid <= n; rid++)
            {
                CustomAttribute c = _r.GetCustomAttribute(MetadataTokens.CustomAttributeHandle(rid));
                Row("CustomAttribute", rid);
                Tok("parent", c.Parent);
                Tok("constructor", c.Constructor);
                Blob("value", c.Value);
                End();
            }
        }

        private void PrintDeclSecurity()
        {
            int n = Rows(TableIndex.DeclSecurity);
            for (int rid = 1; rid <= n; rid++)
            {
                DeclarativeSecurityAttribute d = _r.GetDeclarativeSecurityAttribute(MetadataTokens.DeclarativeSecurityAttributeHandle(rid));
                Row("DeclSecurity", rid);
                Int("action", (ushort)d.Action);
                Tok("parent", d.Parent);
                Blob("permissions", d.PermissionSet);
                End();
            }
        }

        private void PrintStandAloneSig()
        {
            int n = Rows(TableIndex.StandAloneSig);
            for (int rid = 1; rid <= n; rid++)
            {
                StandaloneSignature s = _r.GetStandaloneSignature(MetadataTokens.StandaloneSignatureHandle(rid));
                Row("StandAloneSig", rid);
                Sig("sig", FirstByte(s.Signature) switch { 0x07 => LocalsSig(s.Signature), 0x06 => FieldSig(s.Signature), _ => MethodSig(s.Signature) });
                End();
            }
        }

        private void PrintEvent()
        {
            int n = Rows(TableIndex.Event);
            for (int rid = 1; rid <= n; rid++)
            {
                EventDefinition e = _r.GetEventDefinition(MetadataTokens.EventDefinitionHandle(rid));
                EventAccessors a = e.GetAccessors();
                Row("Event", rid);
                Int("flags", (ushort)e.Attributes);
                Str("name", e.Name);
                Tok("type", e.Type);
                Tok("add", a.Adder);
                Tok("remove", a.Remover);
                Tok("raise", a.Raiser);
                Tokens("others", a.Others);
                End();
            }
        }

        private void PrintProperty()
        {
            int n = Rows(TableIndex.Property);
            for (int rid = 1; rid <= n; rid++)
            {
                PropertyDefinition p = _r.GetPropertyDefinition(MetadataTokens.PropertyDefinitionHandle(rid));
                PropertyAccessors a = p.GetAccessors();
                Row("Property", rid);
                Int("flags", (ushort)p.Attributes);
                Str("name", p.Name);
                Sig("sig", MethodSig(p.Signature));
                Tok("get", a.Getter);
                Tok("set", a.Setter);
                Tokens("others", a.Others);
                Tok("constant", p.GetDefaultValue());
                End();
            }
        }

        private void PrintMethodImpl()
        {
            int n = Rows(TableIndex.MethodImpl);
            for (int rid = 1; rid <= n; rid++)
            {
                MethodImplementation m = _r.GetMethodImplementation(MetadataTokens.MethodImplementationHandle(rid));
                Row("MethodImpl", rid);
                Tok("class", m.Type);
                Tok("body", m.MethodBody);
                Tok("declaration", m.MethodDeclaration);
                End();
            }
        }

        private void PrintModuleRef()
        {
            int n = Rows(TableIndex.ModuleRef);
            for (int rid = 1; rid <= n; rid++)
            {
                ModuleReference m = _r.GetModuleReference(MetadataTokens.ModuleReferenceHandle(rid));
                Row("ModuleRef", rid);
                Str("name", m.Name);
                End();
            }
        }

        private void PrintTypeSpec()
        {
            int n = Rows(TableIndex.TypeSpec);
            for (int rid = 1; rid <= n; rid++)
            {
                TypeSpecification t = _r.GetTypeSpecification(MetadataTokens.TypeSpecificationHandle(rid));
                Row("TypeSpec", rid);
                Sig("sig", TypeSig(t.Signature));
                End();
            }
        }

        private void PrintEncLog()
        {
            if (Rows(TableIndex.EncLog) == 0)
            {
                return;
            }

            int rid = 0;
            foreach (EditAndContinueLogEntry e in _r.GetEditAndContinueLogEntries())
            {
                rid++;
                Row("EncLog", rid);
                Tok("token", e.Handle);
                Int("op", (uint)e.Operation);
                End();
            }
        }

        private void PrintEncMap()
        {
            if (Rows(TableIndex.EncMap) == 0)
            {
                return;
            }

            int rid = 0;
            foreach (EntityHandle h in _r.GetEditAndContinueMapEntries())
            {
                rid++;
                Row("EncMap", rid);
                Tok("token", h);
                End();
            }
        }

        private void PrintAssembly()
        {
            // SRM exposes only the first Assembly row.
            if (Rows(TableIndex.Assembly) == 0)
            {
                return;
            }

            AssemblyDefinition a = _r.GetAssemblyDefinition();
            Row("Assembly", 1);
            Int("hashalg", (uint)a.HashAlgorithm);
            Key("version").Append(a.Version.ToString());
            Int("flags", (uint)a.Flags);
            Blob("publickey", a.PublicKey);
            Str("name", a.Name);
            Str("culture", a.Culture);
            End();
        }

        private void PrintAssemblyRef()
        {
            int n = Rows(TableIndex.AssemblyRef);
            for (int rid = 1; rid <= n; rid++)
            {
                AssemblyReference a = _r.GetAssemblyReference(MetadataTokens.AssemblyReferenceHandle(rid));
                Row("AssemblyRef", rid);
                Key("version").Append(a.Version.ToString());
                Int("flags", (uint)a.Flags);
                Blob("publickey", a.PublicKeyOrToken);
                Str("name", a.Name);
                Str("culture", a.Culture);
                Blob("hash", a.HashValue);
                End();
            }
        }

        private void PrintFile()
        {
            int n = Rows(TableIndex.File);
            for (int rid = 1; rid <= n; rid++)
            {
                AssemblyFile f = _r.GetAssemblyFile(MetadataTokens.AssemblyFileHandle(rid));
                Row("File", rid);
                Bool("metadata", f.ContainsMetadata);
                Str("name", f.Name);
                Blob("hash", f.HashValue);
                End();
            }
        }

        private void PrintExportedType()
        {
            int n = Rows(TableIndex.ExportedType);
            for (int rid = 1; rid <= n; rid++)
            {
                ExportedType e = _r.GetExportedType(MetadataTokens.ExportedTypeHandle(rid));
                Row("ExportedType", rid);
                Int("flags", (uint)e.Attributes);
                Str("name", e.Name);
                Str("namespace", e.Namespace);
                Tok("implementation", e.Implementation);
                End();
            }
        }

        private void PrintManifestResource()
        {
            int n = Rows(TableIndex.ManifestResource);
            for (int rid = 1; rid <= n; rid++)
            {
                ManifestResource m = _r.GetManifestResource(MetadataTokens.ManifestResourceHandle(rid));
                Row("ManifestResource", rid);
                Int("offset", m.Offset);
                Int("flags", (uint)m.Attributes);
                Str("name", m.Name);
                Tok("implementation", m.Implementation);
                End();
            }
        }

        private void PrintGenericParam()
        {
            int n = Rows(TableIndex.GenericParam);
            for (int rid = 1; rid <= n; rid++)
            {
                GenericParameter g = _r.GetGenericParameter(MetadataTokens.GenericParameterHandle(rid));
                Row("GenericParam", rid);
                Int("index", g.Index);
                Int("flags", (ushort)g.Attributes);
                Tok("owner", g.Parent);
                Str("name", g.Name);
                Tokens("constraints", g.GetConstraints());
                End();
            }
        }

        private void PrintMethodSpec()
        {
            int n = Rows(TableIndex.MethodSpec);
            for (int rid = 1; rid <= n; rid++)
            {
                MethodSpecification m = _r.GetMethodSpecification(MetadataTokens.MethodSpecificationHandle(rid));
                Row("MethodSpec", rid);
                Tok("method", m.Method);
                Sig("sig", SpecSig(m.Signature));
                End();
            }
        }

        private void PrintGenericParamConstraint()
        {
            int n = Rows(TableIndex.GenericParamConstraint);
            for (int rid = 1; rid <= n; rid++)
            {
                GenericParameterConstraint g = _r.GetGenericParameterConstraint(MetadataTokens.GenericParameterConstraintHandle(rid));
                Row("GenericParamConstraint", rid);
                Tok("owner", g.Parameter);
                Tok("constraint", g.Type);
                End();
            }
        }

        private void PrintDocument()
        {
            int n = Rows(TableIndex.Document);
            for (int rid = 1; rid <= n; rid++)
            {
                Document d = _r.GetDocument(MetadataTokens.DocumentHandle(rid));
                Row("Document", rid);
                Key("name").AppendQuoted(_r.GetString(d.Name));
                Guid("hashalg", d.HashAlgorithm);
                Blob("hash", d.Hash);
                Guid("language", d.Language);
                End();
            }
        }

        private void PrintMethodDebugInformation()
        {
            int n = Rows(TableIndex.MethodDebugInformation);
            for (int rid = 1; rid <= n; rid++)
            {
                MethodDebugInformation m = _r.GetMethodDebugInformation(MetadataTokens.MethodDebugInformationHandle(rid));
                Row("MethodDebugInformation", rid);
                Tok("document", m.Document);
                Tok("localsig", m.LocalSignature);
                Key("points").Append('[');
                bool sep = false;
                foreach (SequencePoint sp in m.GetSequencePoints())
                {
                    if (sep) _sb.Append(',');
                    sep = true;
                    _sb.Append(sp.Offset).Append(':');
                    if (sp.IsHidden)
                    {
                        _sb.Append("hidden");
                    }
                    else
                    {
                        _sb.Append(sp.StartLine).Append('.').Append(sp.StartColumn).Append('-')
                           .Append(sp.EndLine).Append('.').Append(sp.EndColumn);
                    }

                    _sb.Append('@').AppendToken(sp.Document);
                }

                _sb.Append(']');
                Tok("kickoff", m.GetStateMachineKickoffMethod());
                End();
            }
        }

        private void PrintLocalScope()
        {
            int n = Rows(TableIndex.LocalScope);
            for (int rid = 1; rid <= n; rid++)
            {
                LocalScope s = _r.GetLocalScope(MetadataTokens.LocalScopeHandle(rid));
                Row("LocalScope", rid);
                Tok("method", s.Method);
                Tok("importscope", s.ImportScope);
                ListOf("variables", s.GetLocalVariables());
                ListOf("constants", s.GetLocalConstants());
                Int("start", (uint)s.StartOffset);
                Int("length", (uint)s.Length);
                End();
            }
        }

        private void PrintLocalVariable()
        {
            int n = Rows(TableIndex.LocalVariable);
            for (int rid = 1; rid <= n; rid++)
            {
                LocalVariable v = _r.GetLocalVariable(MetadataTokens.LocalVariableHandle(rid));
                Row("LocalVariable", rid);
                Int("flags", (ushort)v.Attributes);
                Int("index", v.Index);
                Str("name", v.Name);
                End();
            }
        }

        private void PrintLocalConstant()
        {
            int n = Rows(TableIndex.LocalConstant);
            for (int rid = 1; rid <= n; rid++)
            {
                LocalConstant c = _r.GetLocalConstant(MetadataTokens.LocalConstantHandle(rid));
                Row("LocalConstant", rid);
                Str("name", c.Name);
                Blob("sig", c.Signature);
                End();
            }
        }

        private void PrintImportScope()
        {
            int n = Rows(TableIndex.ImportScope);
            for (int rid = 1; rid <= n; rid++)
            {
                ImportScope s = _r.GetImportScope(MetadataTokens.ImportScopeHandle(rid));
                Row("ImportScope", rid);
                Tok("parent", s.Parent);
                Key("imports").Append('[');
                bool sep = false;
                foreach (ImportDefinition i in s.GetImports())
                {
                    if (sep) _sb.Append(',');
                    sep = true;
                    // TargetNamespace and TargetType share one field in SRM; the accessor that
                    // does not apply to the kind throws InvalidCastException. The absent one
                    // prints as nil (b0:811c9dc5 for the namespace blob).
                    bool hasType = i.Kind == ImportDefinitionKind.ImportType || i.Kind == ImportDefinitionKind.AliasType;
                    _sb.Append((int)i.Kind).Append(':').AppendBlob(_r, i.Alias)
                       .Append(':').AppendToken(i.TargetAssembly)
                       .Append(':').AppendBlob(_r, hasType ? default : ImportNamespace(i))
                       .Append(':').AppendToken(hasType ? i.TargetType : default);
                }

                _sb.Append(']');
                End();
            }
        }

        private static BlobHandle ImportNamespace(ImportDefinition i)
        {
            switch (i.Kind)
            {
                case ImportDefinitionKind.ImportNamespace:
                case ImportDefinitionKind.ImportAssemblyNamespace:
                case ImportDefinitionKind.ImportXmlNamespace:
                case ImportDefinitionKind.AliasNamespace:
                case ImportDefinitionKind.AliasAssemblyNamespace:
                    return i.TargetNamespace;
                default:
                    return default;
            }
        }

        private void PrintCustomDebugInformation()
        {
            int n = Rows(TableIndex.CustomDebugInformation);
            for (int rid = 1; rid <= n; rid++)
            {
                CustomDebugInformation c = _r.GetCustomDebugInformation(MetadataTokens.CustomDebugInformationHandle(rid));
                Row("CustomDebugInformation", rid);
                Tok("parent", c.Parent);
                Guid("kind", c.Kind);
                Blob("value", c.Value);
                End();
            }
        }
    }
}
