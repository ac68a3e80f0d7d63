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
    /// <summary>One generation (0 = baseline) as seen by SRM.</summary>
    internal sealed class Generation
    {
        public int Number;
        public string Path = "";
        public MetadataReader? Reader;
        public GenerationFiles? Files;

        /// <summary>EncMap tokens grouped by table, in EncMap order: row k of the delta's table t is Rows[t][k-1].</summary>
        public List<int>[] Rows = NewTableLists();

        /// <summary>Cumulative row count of every table after this generation (baseline + inserts of gens 1..N).</summary>
        public int[] Cumulative = new int[MetadataTokens.TableCount];

        /// <summary>Per table: rows this generation inserted (rid &gt; previous cumulative count).</summary>
        public HashSet<int> Inserted = new();

        /// <summary>MethodDef rid → local signature token of its body in the .dil (0 when none).</summary>
        public Dictionary<int, int> BodyLocals = new();

        public MetadataReader? PdbReader;
        public List<int>[] PdbRows = NewTableLists();

        public static List<int>[] NewTableLists()
        {
            var a = new List<int>[MetadataTokens.TableCount];
            for (int i = 0; i < a.Length; i++) a[i] = new List<int>();
            return a;
        }
    }

    internal sealed partial class Verifier
    {
        private readonly Options _o;
        private int _errors;
        private readonly List<Generation> _gens = new();
        private MetadataAggregator? _agg;
        private MetadataReader? _basePdb;

        private static readonly TableIndex[] AllTables =
            Enum.GetValues<TableIndex>().Distinct().OrderBy(t => (int)t).ToArray();

        public Verifier(Options o)
        {
            _o = o;
        }

        private void Info(string line)
        {
            if (!_o.Quiet) Console.WriteLine(line);
        }

        private void Error(string line)
        {
            _errors++;
            Console.WriteLine("error: " + line);
        }

        private static string Hex(int token) => "0x" + token.ToString("X8");

        private static string Tok(EntityHandle h) => Hex(MetadataTokens.GetToken(h));

        private static int TableOf(int token) => (int)((uint)token >> 24);

        private static int RidOf(int token) => token & 0xFFFFFF;

        public int Run()
        {
            if (!LoadBaseline()) return Summary();

            bool allRead = true;
            for (int i = 0; i < _o.Generations.Count; i++)
            {
                allRead &= LoadDelta(i + 1, _o.Generations[i]);
            }

            if (!allRead)
            {
                Error("some deltas could not be read by SRM; aggregate checks skipped");
                return Summary();
            }

            for (int n = 1; n < _gens.Count; n++)
            {
                CheckGenerationStructure(_gens[n]);
            }

            try
            {
                _agg = new MetadataAggregator(_gens[0].Reader!, _gens.Skip(1).Select(g => g.Reader!).ToList());
                Info($"aggregate: MetadataAggregator accepted baseline + {_gens.Count - 1} delta(s)");
            }
            catch (Exception e)
            {
                Error($"MetadataAggregator rejected the chain: {e.GetType().Name}: {e.Message}");
            }

            if (_agg != null)
            {
                for (int n = 1; n < _gens.Count; n++)
                {
                    CheckRows(_gens[n]);
                }
            }

            for (int n = 1; n < _gens.Count; n++)
            {
                if (_gens[n].Files!.Il != null)
                {
                    CheckIl(_gens[n]);
                }
                else if (_gens[n].Rows[(int)TableIndex.MethodDef].Count > 0)
                {
                    Info($"gen {n}: no .dil file, method bodies not checked");
                }
            }

            LoadBaselinePdb();
            for (int n = 1; n < _gens.Count; n++)
            {
                if (_gens[n].Files!.Pdb != null)
                {
                    CheckPdb(_gens[n]);
                }
            }

            return Summary();
        }

        private int Summary()
        {
            int deltas = Math.Max(0, _gens.Count - 1);
            Console.WriteLine(_errors == 0
                ? $"summary: OK: baseline + {deltas} delta(s), 0 errors"
                : $"summary: FAILED: baseline + {deltas} delta(s), {_errors} error(s)");
            return _errors == 0 ? 0 : 1;
        }

        // ------------------------------------------------------------------ loading

        private bool LoadBaseline()
        {
            var gen = new Generation { Number = 0, Path = _o.Baseline };
            _gens.Add(gen);
            byte[] bytes = File.ReadAllBytes(_o.Baseline);
            try
            {
                var pe = new PEReader(ImmutableArray.Create(bytes));
                if (!pe.HasMetadata)
                {
                    Error($"baseline {_o.Baseline}: PE image has no metadata");
                    return false;
                }

                gen.Reader = pe.GetMetadataReader();
            }
            catch (Exception e)
            {
                Error($"baseline {_o.Baseline}: SRM cannot read it: {e.GetType().Name}: {e.Message}");
                return false;
            }

            var r = gen.Reader;
            for (int t = 0; t < MetadataTokens.TableCount; t++)
            {
                gen.Cumulative[t] = r.GetTableRowCount((TableIndex)t);
            }

            var module = r.GetModuleDefinition();
            Info($"baseline: {_o.Baseline}: module {SafeString(r, module.Name)} mvid {SafeGuid(r, module.Mvid)} " +
                 $"generation {module.Generation}; tables {TableSummary(r)}; heaps {HeapSummary(r)}");
            if (r.GetTableRowCount(TableIndex.EncMap) != 0 || r.GetTableRowCount(TableIndex.EncLog) != 0)
            {
                Error("baseline has EncLog/EncMap rows (it is itself a delta?)");
            }

            return true;
        }

        private bool LoadDelta(int n, GenerationFiles files)
        {
            var gen = new Generation { Number = n, Path = files.Meta, Files = files };
            _gens.Add(gen);
            byte[] bytes = File.ReadAllBytes(files.Meta);
            try
            {
                gen.Reader = MetadataReaderProvider.FromMetadataImage(ImmutableArray.Create(bytes)).GetMetadataReader();
            }
            catch (Exception e)
            {
                Error($"gen {n}: {files.Meta}: SRM cannot read the metadata delta: {e.GetType().Name}: {e.Message}");
                return false;
            }

            var r = gen.Reader;
            Info($"gen {n}: {files.Meta} ({bytes.Length} bytes)" +
                 (files.Il != null ? $", il {files.Il}" : "") + (files.Pdb != null ? $", pdb {files.Pdb}" : ""));
            Info($"gen {n}: tables {TableSummary(r)}");
            Info($"gen {n}: heaps {HeapSummary(r)}");
            return true;
        }

        private void LoadBaselinePdb()
        {
            string p = System.IO.Path.ChangeExtension(_o.Baseline, ".pdb");
            if (!File.Exists(p) || !_gens.Skip(1).Any(g => g.Files?.Pdb != null)) return;
            try
            {
                byte[] bytes = File.ReadAllBytes(p);
                if (bytes.Length < 4 || bytes[0] != (byte)'B' || bytes[1] != (byte)'S' || bytes[2] != (byte)'J' || bytes[3] != (byte)'B')
                {
                    Info($"baseline pdb {p}: not a portable PDB, not used");
                    return;
                }

                _basePdb = MetadataReaderProvider.FromPortablePdbImage(ImmutableArray.Create(bytes)).GetMetadataReader();
                Info($"baseline pdb: {p}: tables {TableSummary(_basePdb)}");
            }
            catch (Exception e)
            {
                Info($"baseline pdb {p}: SRM cannot read it ({e.GetType().Name}: {e.Message}), not used");
            }
        }

        private static string TableSummary(MetadataReader r)
        {
            var parts = new List<string>();
            foreach (var t in AllTables)
            {
                int c;
                try { c = r.GetTableRowCount(t); }
                catch { continue; }
                if (c != 0) parts.Add($"{t}={c}");
            }

            return parts.Count == 0 ? "(none)" : string.Join(" ", parts);
        }

        private static string HeapSummary(MetadataReader r)
        {
            return $"#Strings={r.GetHeapSize(HeapIndex.String)} #US={r.GetHeapSize(HeapIndex.UserString)} " +
                   $"#Blob={r.GetHeapSize(HeapIndex.Blob)} #GUID={r.GetHeapSize(HeapIndex.Guid)}";
        }

        private static string SafeString(MetadataReader r, StringHandle h)
        {
            try { return r.GetString(h); }
            catch (Exception e) { return $"<{e.GetType().Name}>"; }
        }

        private static string SafeGuid(MetadataReader r, GuidHandle h)
        {
            if (h.IsNil) return "nil";
            try { return r.GetGuid(h).ToString(); }
            catch (Exception e) { return $"<{e.GetType().Name}: {e.Message}>"; }
        }

        private static Guid? TryGuid(MetadataReader r, GuidHandle h)
        {
            if (h.IsNil) return Guid.Empty;
            try { return r.GetGuid(h); }
            catch { return null; }
        }

        // ------------------------------------------------------------------ per-generation structure

        private void CheckGenerationStructure(Generation gen)
        {
            int n = gen.Number;
            var r = gen.Reader!;
            var prev = _gens[n - 1];

            // Module row.
            if (r.GetTableRowCount(TableIndex.Module) != 1)
            {
                Error($"gen {n}: Module table has {r.GetTableRowCount(TableIndex.Module)} rows, expected 1");
            }
            else
            {
                var m = r.GetModuleDefinition();
                int idx(GuidHandle h) => h.IsNil ? 0 : MetadataTokens.GetHeapOffset(h);
                Info($"gen {n}: Module generation={m.Generation} mvid[{idx(m.Mvid)}]={SafeGuid(r, m.Mvid)} " +
                     $"encid[{idx(m.GenerationId)}]={SafeGuid(r, m.GenerationId)} encbaseid[{idx(m.BaseGenerationId)}]={SafeGuid(r, m.BaseGenerationId)}");

                if (m.Generation != n)
                    Error($"gen {n}: Module.Generation is {m.Generation}, expected {n}");

                var baseModule = _gens[0].Reader!.GetModuleDefinition();
                Guid? baseMvid = TryGuid(_gens[0].Reader!, baseModule.Mvid);
                Guid? mvid = TryGuid(r, m.Mvid);
                if (mvid == null)
                    Error($"gen {n}: Module.Mvid GUID index {idx(m.Mvid)} cannot be read from the delta's #GUID heap");
                else if (mvid != baseMvid)
                    Error($"gen {n}: Module.Mvid {mvid} differs from the baseline's {baseMvid}");

                Guid? encId = TryGuid(r, m.GenerationId);
                if (encId == null)
                    Error($"gen {n}: Module.EncId GUID index {idx(m.GenerationId)} cannot be read");
                else if (encId == Guid.Empty)
                    Error($"gen {n}: Module.EncId is nil");

                Guid? encBase = TryGuid(r, m.BaseGenerationId);
                if (encBase == null)
                {
                    Error($"gen {n}: Module.EncBaseId GUID index {idx(m.BaseGenerationId)} cannot be read");
                }
                else if (n == 1)
                {
                    if (encBase != Guid.Empty)
                        Error($"gen 1: Module.EncBaseId is {encBase}, expected nil (baseline has no EncId)");
                }
                else
                {
                    var pm = prev.Reader!.GetModuleDefinition();
                    Guid? prevEncId = TryGuid(prev.Reader!, pm.GenerationId);
                    if (encBase != prevEncId)
                        Error($"gen {n}: Module.EncBaseId {encBase} != EncId of gen {n - 1} ({prevEncId?.ToString() ?? "unreadable"})");
                }

                if (encId != null && encId != Guid.Empty)
                {
                    for (int k = 1; k < n; k++)
                    {
                        var km = _gens[k].Reader!.GetModuleDefinition();
                        if (TryGuid(_gens[k].Reader!, km.GenerationId) == encId)
                            Error($"gen {n}: Module.EncId {encId} repeats the EncId of gen {k}");
                    }
                }
            }

            // EncLog.
            var logTokens = new List<(int token, EditAndContinueOperation op)>();
            try
            {
                foreach (var e in r.GetEditAndContinueLogEntries())
                {
                    int tok = MetadataTokens.GetToken(e.Handle);
                    logTokens.Add((tok, e.Operation));
                    Info($"gen {n}: enclog {Hex(tok)} {e.Operation}");
                }
            }
            catch (Exception e)
            {
                Error($"gen {n}: reading EncLog failed: {e.GetType().Name}: {e.Message}");
            }

            // EncMap.
            var mapTokens = new List<int>();
            try
            {
                foreach (var h in r.GetEditAndContinueMapEntries())
                {
                    mapTokens.Add(MetadataTokens.GetToken(h));
                }
            }
            catch (Exception e)
            {
                Error($"gen {n}: reading EncMap failed: {e.GetType().Name}: {e.Message}");
            }

            if (mapTokens.Count == 0)
                Error($"gen {n}: EncMap is empty (SRM only treats a reader with EncMap rows as a delta)");

            Array.Copy(prev.Cumulative, gen.Cumulative, gen.Cumulative.Length);
            long last = -1;
            foreach (int tok in mapTokens)
            {
                int t = TableOf(tok), rid = RidOf(tok);
                bool insert = t < MetadataTokens.TableCount && rid > prev.Cumulative[t];
                Info($"gen {n}: encmap {Hex(tok)} {(insert ? "add" : "update")}");
                if ((uint)tok <= last)
                    Error($"gen {n}: EncMap not sorted/unique: {Hex(tok)} after {Hex((int)last)}");
                last = (uint)tok;
                if (t >= MetadataTokens.TableCount || rid == 0)
                {
                    Error($"gen {n}: EncMap token {Hex(tok)} is not a valid table row");
                    continue;
                }

                gen.Rows[t].Add(tok);
                if (rid <= prev.Cumulative[t]) continue; // update of a row that already exists

                if (rid != gen.Cumulative[t] + 1)
                    Error($"gen {n}: EncMap adds {Hex(tok)} but the next {(TableIndex)t} row is {gen.Cumulative[t] + 1} (rows must be added without gaps)");
                gen.Cumulative[t] = Math.Max(gen.Cumulative[t], rid);
                gen.Inserted.Add(tok);
            }

            // The Module row (always row 1, always an update) need not be listed in the EncMap; Roslyn omits it.
            if (gen.Rows[(int)TableIndex.Module].Count == 0 && r.GetTableRowCount(TableIndex.Module) == 1)
            {
                gen.Rows[(int)TableIndex.Module].Add(0x00000001);
            }

            // Every table's rows must be described by the EncMap, one entry per row.
            foreach (var t in AllTables)
            {
                if (t == TableIndex.EncLog || t == TableIndex.EncMap) continue;
                int rows = r.GetTableRowCount(t);
                int mapped = gen.Rows[(int)t].Count;
                if (rows != mapped)
                    Error($"gen {n}: table {t} has {rows} row(s) but EncMap lists {mapped} {t} token(s)");
            }

            // EncLog vs EncMap: every mapped row should be logged.
            var logged = new HashSet<int>(logTokens.Select(x => x.token));
            foreach (int tok in mapTokens)
            {
                if (!logged.Contains(tok))
                    Error($"gen {n}: EncMap token {Hex(tok)} has no EncLog entry");
            }

            foreach (var (tok, op) in logTokens)
            {
                int t = TableOf(tok), rid = RidOf(tok);
                if (t >= MetadataTokens.TableCount || rid == 0 || rid > gen.Cumulative[t])
                    Error($"gen {n}: EncLog token {Hex(tok)} ({op}) is beyond the rows defined up to gen {n}");
                if (op != EditAndContinueOperation.Default && (uint)op > 6)
                    Error($"gen {n}: EncLog token {Hex(tok)} has unknown operation {(int)op}");
            }
        }
    }
}
