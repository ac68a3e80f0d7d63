using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text;

namespace DeltaVerify
{
    /// <summary>
    /// <c>--debug-info ASSEMBLY PDB TOKEN...</c>: prints what a portable PDB (a full one, or a
    /// .dpdb, whose MethodDebugInformation rows are found through its EncMap) says about each
    /// method, without row numbers or heap offsets, so that the debug info of a method in an
    /// updated build's PDB and in a PDB delta can be compared line by line. In a delta, the
    /// LocalScope, StateMachineMethod and CustomDebugInformation rows of a method are found by
    /// its position (its MethodDebugInformation row number), as Mono looks them up. ASSEMBLY (the
    /// build, or the baseline for a delta) names the methods a state machine row refers to.
    /// </summary>
    internal static class DebugInfo
    {
        // EnC-only maps: written in full PDBs only, never in deltas.
        private static readonly HashSet<Guid> EncKinds = new()
        {
            new Guid("755F52A8-91C5-45BE-B4B8-209571E552BD"),
            new Guid("A643004C-0240-496F-A783-30D64F4979DE"),
            new Guid("8B78CD68-2EDE-420B-980B-E15884B8AAA3"),
        };

        public static int Run(string[] args)
        {
            if (args.Length < 3)
            {
                Console.Error.WriteLine("usage: DeltaVerify --debug-info <assembly.dll> <file.pdb|file.dpdb> <0x06xxxxxx>...");
                return 2;
            }

            using var pe = new PEReader(File.OpenRead(args[0]));
            var md = pe.GetMetadataReader();
            var pdb = MetadataReaderProvider.FromPortablePdbImage(ImmutableArray.Create(File.ReadAllBytes(args[1]))).GetMetadataReader();

            // In a delta, MethodDebugInformation row k belongs to the k-th MethodDebugInformation token of the EncMap.
            var mdiRows = new Dictionary<int, int>();
            int k = 0;
            foreach (var h in pdb.GetEditAndContinueMapEntries())
            {
                if (h.Kind == HandleKind.MethodDebugInformation)
                    mdiRows[MetadataTokens.GetRowNumber(h)] = ++k;
            }

            var output = new StringBuilder();
            foreach (string arg in args.Skip(2))
            {
                int token = Convert.ToInt32(arg, 16);
                int rid = token & 0xFFFFFF;
                output.AppendLine($"method 0x{token:X8}");
                int row = k == 0 ? rid : mdiRows.GetValueOrDefault(rid);
                if (row == 0 || row > pdb.GetTableRowCount(TableIndex.MethodDebugInformation))
                {
                    output.AppendLine("  no MethodDebugInformation row");
                    continue;
                }

                // Debug rows of a delta name its methods by position (the MethodDebugInformation row number,
                // as Roslyn writes them and Mono reads them); in a full PDB that is the method's row id.
                Describe(output, md, pdb, MetadataTokens.MethodDefinitionHandle(row), MetadataTokens.MethodDebugInformationHandle(row));
            }

            Console.Out.Write(output.ToString());
            return 0;
        }

        private static void Describe(StringBuilder o, MetadataReader md, MetadataReader pdb, MethodDefinitionHandle method, MethodDebugInformationHandle row)
        {
            var mdi = pdb.GetMethodDebugInformation(row);
            var documents = new List<DocumentHandle>();
            foreach (var sp in mdi.GetSequencePoints())
            {
                if (!documents.Contains(sp.Document)) documents.Add(sp.Document);
                o.AppendLine(sp.IsHidden
                    ? $"  sp IL_{sp.Offset:X4} hidden"
                    : $"  sp IL_{sp.Offset:X4} {pdb.GetString(pdb.GetDocument(sp.Document).Name)} {sp.StartLine}:{sp.StartColumn}-{sp.EndLine}:{sp.EndColumn}");
            }

            foreach (var d in documents)
            {
                var doc = pdb.GetDocument(d);
                o.AppendLine($"  document {pdb.GetString(doc.Name)} language={pdb.GetGuid(doc.Language)} " +
                             $"hash={Guid(pdb, doc.HashAlgorithm)}:{Convert.ToHexString(pdb.GetBlobBytes(doc.Hash))}");
            }

            foreach (var sh in pdb.GetLocalScopes(method))
            {
                var scope = pdb.GetLocalScope(sh);
                o.AppendLine($"  scope IL_{scope.StartOffset:X4}..IL_{scope.EndOffset:X4} imports {Imports(pdb, scope.ImportScope)}");
                foreach (var vh in scope.GetLocalVariables())
                {
                    var v = pdb.GetLocalVariable(vh);
                    o.AppendLine($"    local {v.Index} {pdb.GetString(v.Name)} attributes={v.Attributes}{Custom(pdb, vh)}");
                }

                foreach (var ch in scope.GetLocalConstants())
                {
                    var c = pdb.GetLocalConstant(ch);
                    o.AppendLine($"    constant {pdb.GetString(c.Name)} signature={Convert.ToHexString(pdb.GetBlobBytes(c.Signature))}{Custom(pdb, ch)}");
                }
            }

            var kickoff = mdi.GetStateMachineKickoffMethod();
            if (!kickoff.IsNil)
            {
                // A kickoff method a delta added is not in ASSEMBLY: its chain token stands for it.
                bool known = MetadataTokens.GetRowNumber(kickoff) <= md.GetTableRowCount(TableIndex.MethodDef);
                o.AppendLine($"  state machine kickoff {(known ? Name(md, kickoff) : $"0x{MetadataTokens.GetToken(kickoff):X8}")}");
            }
            foreach (string item in CustomItems(pdb, method)) o.AppendLine("  " + item);
        }

        private static string Guid(MetadataReader pdb, GuidHandle h) => h.IsNil ? "nil" : pdb.GetGuid(h).ToString();

        private static string Name(MetadataReader md, MethodDefinitionHandle h)
        {
            var m = md.GetMethodDefinition(h);
            var t = md.GetTypeDefinition(m.GetDeclaringType());
            return $"{md.GetString(t.Namespace)}.{md.GetString(t.Name)}::{md.GetString(m.Name)}";
        }

        /// <summary>The custom debug information of a parent (EnC maps left out), as "cdi KIND VALUE" items.</summary>
        private static List<string> CustomItems(MetadataReader pdb, EntityHandle parent)
        {
            var items = new List<string>();
            foreach (var h in pdb.GetCustomDebugInformation(parent))
            {
                var cdi = pdb.GetCustomDebugInformation(h);
                var kind = pdb.GetGuid(cdi.Kind);
                if (EncKinds.Contains(kind)) continue;
                items.Add($"cdi {kind} {Convert.ToHexString(pdb.GetBlobBytes(cdi.Value))}");
            }

            return items;
        }

        private static string Custom(MetadataReader pdb, EntityHandle parent) =>
            string.Concat(CustomItems(pdb, parent).Select(i => " " + i));

        /// <summary>An import scope and its parents, innermost first: each import as kind and names
        /// (target types and assemblies as their kind of handle only: their tokens differ between a build and a chain).</summary>
        private static string Imports(MetadataReader pdb, ImportScopeHandle h)
        {
            var scopes = new List<string>();
            while (!h.IsNil)
            {
                var scope = pdb.GetImportScope(h);
                var items = new List<string>();
                foreach (var i in scope.GetImports())
                {
                    string alias = i.Alias.IsNil ? "" : " alias=" + Encoding.UTF8.GetString(pdb.GetBlobBytes(i.Alias));
                    // SRM keeps the target type and namespace in one field: read the one the kind has.
                    bool typed = i.Kind is ImportDefinitionKind.ImportType or ImportDefinitionKind.AliasType;
                    string ns = typed || i.TargetNamespace.IsNil ? "" : " ns=" + Encoding.UTF8.GetString(pdb.GetBlobBytes(i.TargetNamespace));
                    string asm = i.TargetAssembly.IsNil ? "" : " assembly";
                    string type = typed ? " type=" + i.TargetType.Kind : "";
                    items.Add($"{i.Kind}{alias}{ns}{asm}{type}");
                }

                scopes.Add("[" + string.Join(", ", items) + "]");
                h = scope.Parent;
            }

            return scopes.Count == 0 ? "none" : string.Join(" < ", scopes);
        }
    }
}
