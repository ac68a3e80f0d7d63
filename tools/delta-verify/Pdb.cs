using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Text;

namespace DeltaVerify
{
    internal sealed partial class Verifier
    {
        private void CheckPdb(Generation gen)
        {
            int n = gen.Number;
            byte[] bytes = File.ReadAllBytes(gen.Files!.Pdb!);
            MetadataReader pdb;
            try
            {
                pdb = MetadataReaderProvider.FromPortablePdbImage(ImmutableArray.Create(bytes)).GetMetadataReader();
            }
            catch (Exception e)
            {
                Error($"gen {n}: {gen.Files.Pdb}: SRM cannot read the PDB delta: {e.GetType().Name}: {e.Message}");
                return;
            }

            gen.PdbReader = pdb;
            Info($"gen {n}: pdb {gen.Files.Pdb} ({bytes.Length} bytes): tables {TableSummary(pdb)}");
            Info($"gen {n}: pdb heaps {HeapSummary(pdb)}");

            var mapTokens = new List<int>();
            try
            {
                foreach (var h in pdb.GetEditAndContinueMapEntries())
                {
                    int tok = MetadataTokens.GetToken(h);
                    mapTokens.Add(tok);
                    Info($"gen {n}: pdb encmap {Hex(tok)}");
                }
            }
            catch (Exception e)
            {
                Error($"gen {n}: pdb EncMap unreadable: {e.GetType().Name}: {e.Message}");
            }

            foreach (int tok in mapTokens)
            {
                int t = TableOf(tok);
                if (t < MetadataTokens.TableCount) gen.PdbRows[t].Add(tok);
            }

            // Roslyn's PDB deltas list only MethodDebugInformation rows in their EncMap (the other debug
            // tables are self-contained per delta); a table that the EncMap does list must be listed completely.
            foreach (var t in AllTables)
            {
                if (t == TableIndex.EncLog || t == TableIndex.EncMap) continue;
                if (gen.PdbRows[(int)t].Count == 0 && t != TableIndex.MethodDebugInformation) continue;
                int rows = pdb.GetTableRowCount(t);
                if (rows != gen.PdbRows[(int)t].Count)
                    Error($"gen {n}: pdb table {t} has {rows} row(s) but the pdb EncMap lists {gen.PdbRows[(int)t].Count}");
            }

            // Each MethodDebugInformation row belongs to a method that this generation's metadata delta touches,
            // and each method of the metadata delta has one.
            var deltaMethods = new HashSet<int>(gen.Rows[(int)TableIndex.MethodDef].Select(RidOf));
            int mdiRows = pdb.GetTableRowCount(TableIndex.MethodDebugInformation);
            var mdiTokens = gen.PdbRows[(int)TableIndex.MethodDebugInformation];
            var debugMethods = new HashSet<int>(mdiTokens.Select(RidOf));
            foreach (int rid in deltaMethods.Where(rid => !debugMethods.Contains(rid)).OrderBy(rid => rid))
                Error($"gen {n}: MethodDef {Hex(0x06000000 | rid)} is in the metadata delta but has no MethodDebugInformation row");
            for (int k = 1; k <= mdiRows; k++)
            {
                int methodRid = k <= mdiTokens.Count ? RidOf(mdiTokens[k - 1]) : k;
                int methodTok = 0x06000000 | methodRid;
                if (!deltaMethods.Contains(methodRid))
                    Error($"gen {n}: pdb MethodDebugInformation for {Hex(methodTok)} but the metadata delta has no MethodDef {Hex(methodTok)}");

                MethodDebugInformation mdi;
                try
                {
                    mdi = pdb.GetMethodDebugInformation(MetadataTokens.MethodDebugInformationHandle(k));
                }
                catch (Exception e)
                {
                    Error($"gen {n}: pdb MethodDebugInformation row {k}: {e.GetType().Name}: {e.Message}");
                    continue;
                }

                // The sequence points' local signature must be the one the method's body in the .dil uses.
                if (!mdi.SequencePointsBlob.IsNil && gen.BodyLocals.TryGetValue(methodRid, out int bodyLocals))
                {
                    int pdbLocals = mdi.LocalSignature.IsNil ? 0 : MetadataTokens.GetToken(mdi.LocalSignature);
                    if (pdbLocals != bodyLocals)
                        Error($"gen {n}: pdb method {Hex(methodTok)}: local signature {Hex(pdbLocals)} but the body in the IL delta uses {Hex(bodyLocals)}");
                }

                if (mdi.SequencePointsBlob.IsNil)
                {
                    Info($"gen {n}: pdb method {Hex(methodTok)}: no sequence points");
                    continue;
                }

                var sb = new StringBuilder();
                int count = 0;
                try
                {
                    foreach (var sp in mdi.GetSequencePoints())
                    {
                        count++;
                        string doc = DocumentName(gen, sp.Document);
                        sb.Append(sp.IsHidden
                            ? $" [IL_{sp.Offset:X4} hidden]"
                            : $" [IL_{sp.Offset:X4} {doc} {sp.StartLine}:{sp.StartColumn}-{sp.EndLine}:{sp.EndColumn}]");
                        if (!sp.IsHidden && (sp.StartLine <= 0 || sp.EndLine < sp.StartLine))
                            Error($"gen {n}: pdb method {Hex(methodTok)}: implausible sequence point lines {sp.StartLine}-{sp.EndLine}");
                    }
                }
                catch (Exception e)
                {
                    Error($"gen {n}: pdb method {Hex(methodTok)}: sequence points unreadable: {e.GetType().Name}: {e.Message}");
                }

                Info($"gen {n}: pdb method {Hex(methodTok)}: {count} sequence point(s){sb}");
            }
        }

        /// <summary>Name of a document referenced from gen N's PDB delta: this delta's own Document rows
        /// (Roslyn re-emits the documents each delta uses), or rows mapped through a PDB EncMap,
        /// then the baseline PDB (X.pdb next to the baseline), if present.</summary>
        private string DocumentName(Generation gen, DocumentHandle doc)
        {
            if (doc.IsNil) return "doc?";
            int rid = MetadataTokens.GetRowNumber(doc);
            int tok = 0x30000000 | rid;
            var own = gen.PdbReader!;
            if (gen.PdbRows[(int)TableIndex.Document].Count == 0 && rid <= own.GetTableRowCount(TableIndex.Document))
            {
                try
                {
                    return own.GetString(own.GetDocument(doc).Name);
                }
                catch (Exception e)
                {
                    Error($"gen {gen.Number}: pdb document {Hex(tok)} unreadable: {e.GetType().Name}: {e.Message}");
                    return $"doc#{rid}";
                }
            }

            for (int g = gen.Number; g >= 1; g--)
            {
                var pg = _gens[g];
                if (pg.PdbReader == null) continue;
                var docTokens = pg.PdbRows[(int)TableIndex.Document];
                int idx = docTokens.IndexOf(tok);
                if (idx < 0) continue;
                try
                {
                    var d = pg.PdbReader.GetDocument(MetadataTokens.DocumentHandle(idx + 1));
                    return pg.PdbReader.GetString(d.Name);
                }
                catch (Exception e)
                {
                    Error($"gen {gen.Number}: pdb document {Hex(tok)} (gen {g} row {idx + 1}) unreadable: {e.GetType().Name}: {e.Message}");
                    return $"doc#{rid}";
                }
            }

            if (_basePdb != null)
            {
                if (rid <= _basePdb.GetTableRowCount(TableIndex.Document))
                {
                    try
                    {
                        return _basePdb.GetString(_basePdb.GetDocument(doc).Name);
                    }
                    catch (Exception e)
                    {
                        Error($"gen {gen.Number}: baseline pdb document {Hex(tok)} unreadable: {e.GetType().Name}: {e.Message}");
                        return $"doc#{rid}";
                    }
                }

                Error($"gen {gen.Number}: pdb document {Hex(tok)} is defined neither in the PDB deltas nor in the baseline PDB");
            }

            return $"doc#{rid}";
        }
    }
}
