// RoslynDeltas: produces Roslyn's own Edit-and-Continue (hot reload) deltas
// for a scenario, as the reference that emit-delta's deltas are compared with.
//
// Usage:
//   dotnet RoslynDeltas.dll [--no-unsafe] [--field-rva] <scenario dir> <out dir>
//
// <scenario dir>/scenario.json names the versions ("versions": ["v1", ...]);
// each version is a folder of .cs files. For every version the program writes
// a full Debug build <out>/<version>/App.dll + App.pdb; then it creates an EnC
// baseline from the first build and, for each next version, computes the
// edits (method-body updates, inserted types and members, deleted methods; see
// ComputeEdits), calls Compilation.EmitDifference and writes
// <out>/roslyn/App.dll.<G>.dmeta / .dil / .dpdb (G = 1, 2, ...), chaining
// the baselines. <out>/roslyn/edits.txt lists per generation the updated
// method tokens and the changed type tokens.
//
// Exit codes: 0 success, 1 compile / emit error, 2 usage or setup error.
//
// Only Roslyn's public API is used.

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text;
using System.Threading;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;

namespace RoslynDeltas;

internal static class Program
{
    private const string AssemblyName = "App";

    // Kinds of the EnC custom debug information records in a portable PDB.
    private static readonly Guid EncLocalSlotMap = new("755F52A8-91C5-45BE-B4B8-209571E552BD");
    private static readonly Guid EncLambdaAndClosureMap = new("A643004C-0240-496F-A783-30D64F4979DE");
    private static readonly Guid EncStateMachineStateMap = new("8B78CD68-2EDE-420B-980B-E15884B8AAA3");

    // What `dotnet build -c Debug` defines for a net10.0 project.
    private static readonly string[] PreprocessorSymbols = BuildPreprocessorSymbols();

    // AllowUnsafe (the default here) makes Roslyn emit
    // [module: UnverifiableCode] and an assembly DeclSecurity row
    // (SecurityPermission SkipVerification), and re-add that DeclSecurity row
    // in every delta; --no-unsafe compiles like a project without
    // <AllowUnsafeBlocks>.
    private static bool allowUnsafe = true;

    // --field-rva: EmitDifferenceOptions.EmitFieldRva (off by default, as in
    // EmitDifferenceOptions.Default).
    private static bool fieldRva;

    private static int Main(string[] args)
    {
        var positional = new List<string>();
        foreach (string a in args)
        {
            if (a == "--no-unsafe")
            {
                allowUnsafe = false;
            }
            else if (a == "--field-rva")
            {
                fieldRva = true;
            }
            else if (a.StartsWith("--", StringComparison.Ordinal))
            {
                Console.Error.WriteLine("RoslynDeltas: unknown option " + a);
                positional.Clear();
                break;
            }
            else
            {
                positional.Add(a);
            }
        }
        if (positional.Count != 2)
        {
            Console.Error.WriteLine("usage: RoslynDeltas [--no-unsafe] [--field-rva] <scenario dir> <out dir>");
            return 2;
        }

        try
        {
            return Run(Path.GetFullPath(positional[0]), Path.GetFullPath(positional[1]));
        }
        catch (SetupException e)
        {
            Console.Error.WriteLine("RoslynDeltas: " + e.Message);
            return 2;
        }
    }

    private static int Run(string scenarioDir, string outDir)
    {
        List<string> versions = ReadVersions(scenarioDir);
        if (versions.Count < 1)
        {
            throw new SetupException("no versions in " + scenarioDir);
        }

        string refDir = FindReferencePack();
        List<MetadataReference> references = Directory
            .EnumerateFiles(refDir, "*.dll")
            .OrderBy(p => p, StringComparer.Ordinal)
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToList();
        Console.WriteLine($"reference pack: {refDir} ({references.Count} assemblies)");

        var emitOptions = new EmitOptions(
            debugInformationFormat: DebugInformationFormat.PortablePdb,
            pdbFilePath: AssemblyName + ".pdb",
            highEntropyVirtualAddressSpace: true);

        // 1. Full builds of every version.
        var compilations = new List<CSharpCompilation>();
        byte[]? v1Pe = null;
        byte[]? v1Pdb = null;
        foreach (string version in versions)
        {
            string versionDir = Path.Combine(scenarioDir, version);
            CSharpCompilation compilation = Compile(versionDir, references);

            using var pe = new MemoryStream();
            using var pdb = new MemoryStream();
            EmitResult result = compilation.Emit(pe, pdb, options: emitOptions);
            if (!result.Success)
            {
                Console.Error.WriteLine($"{version}: compilation failed:");
                PrintDiagnostics(result.Diagnostics);
                return 1;
            }
            PrintDiagnostics(result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning), version + ": ");

            byte[] peBytes = pe.ToArray();
            byte[] pdbBytes = pdb.ToArray();
            CheckDebuggable(peBytes, version);

            string dir = Path.Combine(outDir, version);
            Directory.CreateDirectory(dir);
            File.WriteAllBytes(Path.Combine(dir, AssemblyName + ".dll"), peBytes);
            File.WriteAllBytes(Path.Combine(dir, AssemblyName + ".pdb"), pdbBytes);
            Console.WriteLine($"{version}: wrote {Path.Combine(dir, AssemblyName + ".dll")} ({peBytes.Length} bytes) + .pdb ({pdbBytes.Length} bytes)");

            compilations.Add(compilation);
            if (v1Pe is null)
            {
                v1Pe = peBytes;
                v1Pdb = pdbBytes;
            }
        }

        // 2. Baseline from the first version's bytes.
        string roslynDir = Path.Combine(outDir, "roslyn");
        Directory.CreateDirectory(roslynDir);

        using var peReader = new PEReader(ImmutableArray.Create(v1Pe!));
        MetadataReader peMetadata = peReader.GetMetadataReader();
        using MetadataReaderProvider pdbProvider = MetadataReaderProvider.FromPortablePdbImage(ImmutableArray.Create(v1Pdb!));
        MetadataReader pdbMetadata = pdbProvider.GetMetadataReader();
        ModuleMetadata moduleMetadata = ModuleMetadata.CreateFromImage(v1Pe!);

        EmitBaseline baseline = EmitBaseline.CreateInitialBaseline(
            compilations[0],
            moduleMetadata,
            handle => ReadEncDebugInfo(pdbMetadata, handle),
            handle => ReadLocalSignature(peReader, peMetadata, handle),
            hasPortableDebugInformation: true);

        // 3. One delta per next version, chained.
        var editsLines = new StringBuilder();
        for (int i = 1; i < compilations.Count; i++)
        {
            int generation = i;
            Compilation oldCompilation = compilations[i - 1];
            Compilation newCompilation = compilations[i];

            var inserted = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
            List<SemanticEdit> edits = ComputeEdits(oldCompilation, newCompilation, inserted, out List<string> problems);
            foreach (string p in problems)
            {
                Console.Error.WriteLine($"generation {generation} ({versions[i]}): warning: {p}");
            }
            if (edits.Count == 0)
            {
                Console.Error.WriteLine($"generation {generation} ({versions[i]}): warning: no member changed");
            }

            using var metadataStream = new MemoryStream();
            using var ilStream = new MemoryStream();
            using var pdbStream = new MemoryStream();
            EmitDifferenceResult diff = newCompilation.EmitDifference(
                baseline,
                edits,
                // The symbols the edits insert (not their members), as the IDE passes them.
                isAddedSymbol: s => inserted.Contains(s),
                metadataStream,
                ilStream,
                pdbStream,
                // --field-rva: as the IDE does for a runtime that reports AddFieldRva
                // (CoreCLR does), new static data (array initializers, ReadOnlySpan<byte>
                // literals) gets FieldRVA rows in the delta instead of element stores.
                new EmitDifferenceOptions { EmitFieldRva = fieldRva },
                CancellationToken.None);

            if (!diff.Success || diff.Baseline is null)
            {
                Console.Error.WriteLine($"generation {generation} ({versions[i]}): EmitDifference failed:");
                PrintDiagnostics(diff.Diagnostics);
                return 1;
            }
            PrintDiagnostics(diff.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Warning), $"generation {generation}: ");

            string prefix = Path.Combine(roslynDir, $"{AssemblyName}.dll.{generation}");
            File.WriteAllBytes(prefix + ".dmeta", metadataStream.ToArray());
            File.WriteAllBytes(prefix + ".dil", ilStream.ToArray());
            File.WriteAllBytes(prefix + ".dpdb", pdbStream.ToArray());

            string methods = JoinTokens(diff.UpdatedMethods.Select(h => MetadataTokens.GetToken(h)));
            string types = JoinTokens(diff.ChangedTypes.Select(h => MetadataTokens.GetToken(h)));
            editsLines.Append(generation.ToString(CultureInfo.InvariantCulture))
                .Append(' ').Append(methods)
                .Append(' ').Append(types)
                .Append('\n');

            Console.WriteLine(
                $"generation {generation} ({versions[i - 1]} -> {versions[i]}): " +
                $"{edits.Count} edit(s) [{string.Join(", ", edits.Select(e => e.Kind + " " + (e.OldSymbol ?? e.NewSymbol)!.ToDisplayString()))}]; " +
                $"updated methods {methods}; changed types {types}; " +
                $"wrote {prefix}.dmeta ({metadataStream.Length}) .dil ({ilStream.Length}) .dpdb ({pdbStream.Length})");

            baseline = diff.Baseline;
        }

        File.WriteAllText(Path.Combine(roslynDir, "edits.txt"), editsLines.ToString());
        GC.KeepAlive(moduleMetadata);
        return 0;
    }

    private static string JoinTokens(IEnumerable<int> tokens)
    {
        string s = string.Join(",", tokens.Select(t => "0x" + t.ToString("X8", CultureInfo.InvariantCulture)));
        return s.Length == 0 ? "-" : s;
    }

    // ---------------------------------------------------------------- setup

    private sealed class SetupException : Exception
    {
        public SetupException(string message) : base(message) { }
    }

    private static List<string> ReadVersions(string scenarioDir)
    {
        string jsonPath = Path.Combine(scenarioDir, "scenario.json");
        if (File.Exists(jsonPath))
        {
            using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(jsonPath));
            JsonElement root = doc.RootElement;
            if (root.TryGetProperty("language", out JsonElement lang) &&
                lang.ValueKind == JsonValueKind.String &&
                !string.Equals(lang.GetString(), "csharp", StringComparison.OrdinalIgnoreCase))
            {
                throw new SetupException($"{jsonPath}: language is '{lang.GetString()}', only csharp is supported");
            }
            if (root.TryGetProperty("versions", out JsonElement vs) && vs.ValueKind == JsonValueKind.Array)
            {
                return vs.EnumerateArray().Select(v => v.GetString() ?? throw new SetupException("bad version name")).ToList();
            }
        }
        else if (!Directory.Exists(scenarioDir))
        {
            throw new SetupException("no such scenario directory: " + scenarioDir);
        }

        // No scenario.json (or no "versions"): every v<N> folder, by N.
        return Directory.EnumerateDirectories(scenarioDir)
            .Select(Path.GetFileName)
            .Where(n => n is not null && n.Length > 1 && n[0] == 'v' && n.Skip(1).All(char.IsAsciiDigit))
            .Select(n => n!)
            .OrderBy(n => int.Parse(n.AsSpan(1), CultureInfo.InvariantCulture))
            .ToList();
    }

    // <dotnet root>/packs/Microsoft.NETCore.App.Ref/<highest 10.x>/ref/net10.0,
    // or $ROSLYN_DELTAS_REF_DIR.
    private static string FindReferencePack()
    {
        string? overrideDir = Environment.GetEnvironmentVariable("ROSLYN_DELTAS_REF_DIR");
        if (!string.IsNullOrEmpty(overrideDir))
        {
            if (!Directory.Exists(overrideDir))
            {
                throw new SetupException("ROSLYN_DELTAS_REF_DIR does not exist: " + overrideDir);
            }
            return Path.GetFullPath(overrideDir);
        }

        var roots = new List<string>();
        string? envRoot = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        if (!string.IsNullOrEmpty(envRoot))
        {
            roots.Add(envRoot);
        }
        // <root>/shared/Microsoft.NETCore.App/<version>/System.Private.CoreLib.dll
        string coreLib = typeof(object).Assembly.Location;
        if (!string.IsNullOrEmpty(coreLib))
        {
            DirectoryInfo? d = new FileInfo(coreLib).Directory?.Parent?.Parent?.Parent;
            if (d is not null)
            {
                roots.Add(d.FullName);
            }
        }
        roots.Add("/usr/share/dotnet");
        roots.Add("/usr/lib/dotnet");

        foreach (string root in roots.Distinct())
        {
            string packs = Path.Combine(root, "packs", "Microsoft.NETCore.App.Ref");
            if (!Directory.Exists(packs))
            {
                continue;
            }
            string? best = Directory.EnumerateDirectories(packs)
                .Where(d => Directory.Exists(Path.Combine(d, "ref", "net10.0")))
                .OrderByDescending(d => ParseVersion(Path.GetFileName(d)))
                .FirstOrDefault();
            if (best is not null)
            {
                return Path.Combine(best, "ref", "net10.0");
            }
        }
        throw new SetupException("no Microsoft.NETCore.App.Ref pack with ref/net10.0 found under " + string.Join(", ", roots.Distinct()));
    }

    private static Version ParseVersion(string? name)
    {
        if (name is null)
        {
            return new Version(0, 0);
        }
        int dash = name.IndexOf('-');
        string core = dash < 0 ? name : name.Substring(0, dash);
        return Version.TryParse(core, out Version? v) ? v : new Version(0, 0);
    }

    private static string[] BuildPreprocessorSymbols()
    {
        var symbols = new List<string> { "TRACE", "DEBUG", "NET", "NET10_0", "NETCOREAPP" };
        foreach (string v in new[] { "5_0", "6_0", "7_0", "8_0", "9_0", "10_0" })
        {
            symbols.Add($"NET{v}_OR_GREATER");
        }
        foreach (string v in new[] { "1_0", "1_1", "2_0", "2_1", "2_2", "3_0", "3_1" })
        {
            symbols.Add($"NETCOREAPP{v}_OR_GREATER");
        }
        return symbols.ToArray();
    }

    // --------------------------------------------------------------- compile

    private static CSharpCompilation Compile(string versionDir, IReadOnlyList<MetadataReference> references)
    {
        if (!Directory.Exists(versionDir))
        {
            throw new SetupException("no such version directory: " + versionDir);
        }
        string baseDir = Path.GetFullPath(versionDir);
        string baseDirSlash = baseDir.EndsWith(Path.DirectorySeparatorChar) ? baseDir : baseDir + Path.DirectorySeparatorChar;

        var parseOptions = new CSharpParseOptions(
            languageVersion: LanguageVersion.CSharp14,
            documentationMode: DocumentationMode.Parse,
            kind: SourceCodeKind.Regular,
            preprocessorSymbols: PreprocessorSymbols);

        List<string> files = Directory
            .EnumerateFiles(baseDir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !IsUnder(f, baseDirSlash, "bin") && !IsUnder(f, baseDirSlash, "obj"))
            .OrderBy(f => Path.GetRelativePath(baseDir, f), StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            throw new SetupException("no .cs files in " + versionDir);
        }

        var trees = new List<SyntaxTree>();
        foreach (string file in files)
        {
            SourceText text;
            using (FileStream fs = File.OpenRead(file))
            {
                text = SourceText.From(fs, encoding: null, checksumAlgorithm: SourceHashAlgorithm.Sha256);
            }
            trees.Add(CSharpSyntaxTree.ParseText(text, parseOptions, path: file));
        }

        // /pathmap:<version dir>/=/_/ : PDB documents become /_/Program.cs in
        // every version, so the generations share their Document rows.
        var pathMap = ImmutableArray.Create(new KeyValuePair<string, string>(baseDirSlash, "/_/"));
        var resolver = new SourceFileResolver(ImmutableArray<string>.Empty, baseDir, pathMap);

        var options = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            optimizationLevel: OptimizationLevel.Debug,
            checkOverflow: false,
            allowUnsafe: allowUnsafe,
            platform: Platform.AnyCpu,
            warningLevel: 9999,
            deterministic: true,
            concurrentBuild: false,
            sourceReferenceResolver: resolver,
            assemblyIdentityComparer: DesktopAssemblyIdentityComparer.Default,
            nullableContextOptions: NullableContextOptions.Disable);

        return CSharpCompilation.Create(AssemblyName, trees, references, options);
    }

    private static bool IsUnder(string file, string baseDirSlash, string folder)
    {
        string rel = file.Substring(baseDirSlash.Length);
        return rel.StartsWith(folder + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    // A Debug build must carry [assembly: Debuggable(... DisableOptimizations ...)]
    // (Roslyn adds it for OptimizationLevel.Debug).
    private static void CheckDebuggable(byte[] peBytes, string version)
    {
        using var pe = new PEReader(ImmutableArray.Create(peBytes));
        MetadataReader md = pe.GetMetadataReader();
        foreach (CustomAttributeHandle h in md.GetAssemblyDefinition().GetCustomAttributes())
        {
            CustomAttribute ca = md.GetCustomAttribute(h);
            if (AttributeTypeName(md, ca) != "System.Diagnostics.DebuggableAttribute")
            {
                continue;
            }
            BlobReader blob = md.GetBlobReader(ca.Value);
            if (blob.ReadUInt16() == 1 && blob.RemainingBytes >= 4)
            {
                int modes = blob.ReadInt32();
                const int DisableOptimizations = 0x100;
                if ((modes & DisableOptimizations) != 0)
                {
                    return;
                }
                throw new SetupException($"{version}: DebuggableAttribute modes 0x{modes:X} lack DisableOptimizations");
            }
        }
        throw new SetupException($"{version}: no DebuggableAttribute(DebuggingModes) on the assembly");
    }

    private static string AttributeTypeName(MetadataReader md, CustomAttribute ca)
    {
        EntityHandle type;
        if (ca.Constructor.Kind == HandleKind.MemberReference)
        {
            type = md.GetMemberReference((MemberReferenceHandle)ca.Constructor).Parent;
        }
        else if (ca.Constructor.Kind == HandleKind.MethodDefinition)
        {
            type = md.GetMethodDefinition((MethodDefinitionHandle)ca.Constructor).GetDeclaringType();
        }
        else
        {
            return "";
        }
        if (type.Kind == HandleKind.TypeReference)
        {
            TypeReference tr = md.GetTypeReference((TypeReferenceHandle)type);
            return md.GetString(tr.Namespace) + "." + md.GetString(tr.Name);
        }
        if (type.Kind == HandleKind.TypeDefinition)
        {
            TypeDefinition td = md.GetTypeDefinition((TypeDefinitionHandle)type);
            return md.GetString(td.Namespace) + "." + md.GetString(td.Name);
        }
        return "";
    }

    private static void PrintDiagnostics(IEnumerable<Diagnostic> diagnostics, string prefix = "")
    {
        foreach (Diagnostic d in diagnostics)
        {
            Console.Error.WriteLine(prefix + d.ToString());
        }
    }

    // -------------------------------------------------------------- baseline

    // EnC debug info of a v1 method, read from v1's portable PDB
    // (CustomDebugInformation rows whose parent is the method).
    private static EditAndContinueMethodDebugInformation ReadEncDebugInfo(MetadataReader pdb, MethodDefinitionHandle method)
    {
        ImmutableArray<byte> slots = ImmutableArray<byte>.Empty;
        ImmutableArray<byte> lambdas = ImmutableArray<byte>.Empty;
        ImmutableArray<byte> states = ImmutableArray<byte>.Empty;

        foreach (CustomDebugInformationHandle h in pdb.GetCustomDebugInformation(method))
        {
            CustomDebugInformation cdi = pdb.GetCustomDebugInformation(h);
            Guid kind = pdb.GetGuid(cdi.Kind);
            if (kind == EncLocalSlotMap)
            {
                slots = pdb.GetBlobContent(cdi.Value);
            }
            else if (kind == EncLambdaAndClosureMap)
            {
                lambdas = pdb.GetBlobContent(cdi.Value);
            }
            else if (kind == EncStateMachineStateMap)
            {
                states = pdb.GetBlobContent(cdi.Value);
            }
        }
        return EditAndContinueMethodDebugInformation.Create(slots, lambdas, states);
    }

    // The StandAloneSig of the method body's locals in v1 (nil when none).
    private static StandaloneSignatureHandle ReadLocalSignature(PEReader pe, MetadataReader md, MethodDefinitionHandle method)
    {
        int rva = md.GetMethodDefinition(method).RelativeVirtualAddress;
        if (rva == 0)
        {
            return default;
        }
        return pe.GetMethodBody(rva).LocalSignature;
    }

    // ------------------------------------------------------------------ edits

    // The edits from one version to the next, as the IDE's analyzer would give them:
    // - Update for every source method (constructors and accessors included; local
    //   functions and lambdas belong to their member) whose declaration text differs,
    //   and for the instance constructors of a type whose instance field or property
    //   initializers changed (they run the initializers);
    // - Insert for a new type (its members come with it: only the outermost new type
    //   is inserted) and for a new method, field, property or event of an existing
    //   type (a new property's or event's accessors come with it);
    // - Delete for a method that is gone (Roslyn wants the old method and the new
    //   containing type); a renamed method or a changed signature is a Delete of the
    //   old method and an Insert of the new one.
    // Deleted types, fields, properties and events are not supported (reported).
    private static List<SemanticEdit> ComputeEdits(
        Compilation oldCompilation,
        Compilation newCompilation,
        HashSet<ISymbol> inserted,
        out List<string> problems)
    {
        problems = new List<string>();
        Dictionary<string, INamedTypeSymbol> oldTypes = SourceTypes(oldCompilation).ToDictionary(SymbolKey, StringComparer.Ordinal);
        List<INamedTypeSymbol> newTypes = SourceTypes(newCompilation).ToList();
        var newTypeKeys = new HashSet<string>(newTypes.Select(SymbolKey), StringComparer.Ordinal);

        var edits = new List<SemanticEdit>();
        foreach (INamedTypeSymbol newType in newTypes)
        {
            if (!oldTypes.TryGetValue(SymbolKey(newType), out INamedTypeSymbol? oldType))
            {
                // A new type nested in a new type comes with its container.
                if (newType.ContainingType is null || oldTypes.ContainsKey(SymbolKey(newType.ContainingType)))
                {
                    edits.Add(new SemanticEdit(SemanticEditKind.Insert, null, newType));
                    inserted.Add(newType);
                }
                continue;
            }
            TypeEdits(oldType, newType, edits, inserted, problems);
            if (AttributesText(oldType) != AttributesText(newType))
            {
                edits.Add(new SemanticEdit(SemanticEditKind.Update, oldType, newType));
            }
        }
        foreach (KeyValuePair<string, INamedTypeSymbol> old in oldTypes)
        {
            if (!newTypeKeys.Contains(old.Key))
            {
                problems.Add("type deleted, not supported (ignored): " + old.Value.ToDisplayString());
            }
        }
        return edits;
    }

    private static void TypeEdits(
        INamedTypeSymbol oldType,
        INamedTypeSymbol newType,
        List<SemanticEdit> edits,
        HashSet<ISymbol> inserted,
        List<string> problems)
    {
        Dictionary<string, ISymbol> oldMembers = SourceMembers(oldType).ToDictionary(SymbolKey, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var updated = new HashSet<ISymbol>(SymbolEqualityComparer.Default);

        // Properties and events first, so that their accessors know they are new.
        foreach (ISymbol newMember in SourceMembers(newType).OrderBy(m => m is IMethodSymbol ? 1 : 0))
        {
            string key = SymbolKey(newMember);
            seen.Add(key);
            if (!oldMembers.TryGetValue(key, out ISymbol? oldMember))
            {
                if (newMember is IMethodSymbol { AssociatedSymbol: ISymbol owner } && inserted.Contains(owner))
                {
                    continue;
                }
                edits.Add(new SemanticEdit(SemanticEditKind.Insert, null, newMember));
                inserted.Add(newMember);
                continue;
            }
            if (newMember is not IMethodSymbol newMethod)
            {
                // A field, property or event whose attributes changed (a method's are
                // part of its declaration text, compared below).
                if (AttributesText(oldMember) != AttributesText(newMember))
                {
                    edits.Add(new SemanticEdit(SemanticEditKind.Update, oldMember, newMember));
                }
                continue;
            }
            var oldMethod = (IMethodSymbol)oldMember;
            SyntaxNode[] oldDecls = Declarations(oldMethod);
            SyntaxNode[] newDecls = Declarations(newMethod);
            if (oldDecls.Length == newDecls.Length &&
                oldDecls.Zip(newDecls).All(p => p.First.ToString() == p.Second.ToString()))
            {
                continue;
            }
            edits.Add(Update(oldMethod, newMethod, oldDecls, newDecls));
            updated.Add(newMethod);
        }

        foreach (KeyValuePair<string, ISymbol> old in oldMembers)
        {
            if (seen.Contains(old.Key))
            {
                continue;
            }
            if (old.Value is IMethodSymbol { AssociatedSymbol: null } deleted)
            {
                edits.Add(new SemanticEdit(SemanticEditKind.Delete, deleted, newType));
            }
            else if (old.Value is not IMethodSymbol)
            {
                problems.Add("member deleted, not supported (ignored): " + old.Value.ToDisplayString());
            }
        }

        // Changed instance initializers run in every constructor that does not call this(...).
        if (InstanceInitializers(oldType) != InstanceInitializers(newType))
        {
            Dictionary<string, IMethodSymbol> oldCtors = oldType.InstanceConstructors.ToDictionary(SymbolKey, StringComparer.Ordinal);
            foreach (IMethodSymbol ctor in newType.InstanceConstructors)
            {
                if (updated.Contains(ctor) || CallsThis(ctor) || !oldCtors.TryGetValue(SymbolKey(ctor), out IMethodSymbol? oldCtor))
                {
                    continue;
                }
                edits.Add(Update(oldCtor, ctor, Declarations(oldCtor), Declarations(ctor)));
            }
        }
        if (StaticInitializers(oldType) != StaticInitializers(newType))
        {
            problems.Add("static initializers changed, not supported (ignored): " + newType.ToDisplayString());
        }
    }

    // The custom attributes of a symbol as source would write them, in order.
    private static string AttributesText(ISymbol s) =>
        string.Join("\n", s.GetAttributes().Select(a => a.ToString()));

    private static SemanticEdit Update(IMethodSymbol oldMethod, IMethodSymbol newMethod, SyntaxNode[] oldDecls, SyntaxNode[] newDecls) =>
        new(SemanticEditKind.Update,
            oldMethod,
            newMethod,
            SyntaxMapBuilder.Build(oldDecls, newDecls),
            runtimeRudeEdit: null,
            instrumentation: default);

    // The text of a type's field and property initializers (instance or static).
    private static string Initializers(INamedTypeSymbol type, bool isStatic) =>
        string.Join("\n", type.GetMembers()
            .Where(m => m.IsStatic == isStatic && (m is IFieldSymbol { IsConst: false } || m is IPropertySymbol))
            .SelectMany(m => m.DeclaringSyntaxReferences)
            .Select(r => r.GetSyntax())
            .Select(n => n switch
            {
                VariableDeclaratorSyntax v => v.Initializer is null ? null : v.Identifier.ValueText + v.Initializer,
                PropertyDeclarationSyntax p => p.Initializer is null ? null : p.Identifier.ValueText + p.Initializer,
                _ => null,
            })
            .Where(t => t is not null));

    private static string InstanceInitializers(INamedTypeSymbol type) => Initializers(type, isStatic: false);

    private static string StaticInitializers(INamedTypeSymbol type) => Initializers(type, isStatic: true);

    private static bool CallsThis(IMethodSymbol ctor) =>
        ctor.DeclaringSyntaxReferences.Any(r =>
            r.GetSyntax() is ConstructorDeclarationSyntax { Initializer: { } init } &&
            init.IsKind(SyntaxKind.ThisConstructorInitializer));

    // Documentation id (parameters included) plus, for methods, the return type, so a
    // changed return type is a different method.
    private static string SymbolKey(ISymbol s)
    {
        string id = s.GetDocumentationCommentId() ?? s.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        return s is IMethodSymbol m ? id + "~" + m.ReturnType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat) : id;
    }

    private static SyntaxNode[] Declarations(IMethodSymbol m) =>
        m.DeclaringSyntaxReferences
            .OrderBy(r => r.SyntaxTree.FilePath, StringComparer.Ordinal)
            .ThenBy(r => r.Span.Start)
            .Select(r => r.GetSyntax())
            .ToArray();

    // Every type declared in source, nested ones included.
    private static IEnumerable<INamedTypeSymbol> SourceTypes(Compilation compilation)
    {
        var stack = new Stack<INamespaceOrTypeSymbol>();
        stack.Push(compilation.Assembly.GlobalNamespace);
        var types = new List<INamedTypeSymbol>();
        while (stack.Count > 0)
        {
            INamespaceOrTypeSymbol container = stack.Pop();
            foreach (ISymbol member in container.GetMembers())
            {
                if (member is INamespaceSymbol ns)
                {
                    stack.Push(ns);
                }
                else if (member is INamedTypeSymbol type && type.Locations.Any(l => l.IsInSource))
                {
                    types.Add(type);
                    stack.Push(type);
                }
            }
        }
        // In declaration order, as the IDE lists the edits of a document (and as a full
        // build numbers the types).
        return types
            .OrderBy(t => t.Locations.First(l => l.IsInSource).SourceTree!.FilePath, StringComparer.Ordinal)
            .ThenBy(t => t.Locations.First(l => l.IsInSource).SourceSpan.Start);
    }

    // The members of a type written in source: methods (a partial method by its
    // implementation part), fields, properties and events; not nested types.
    private static IEnumerable<ISymbol> SourceMembers(INamedTypeSymbol type)
    {
        foreach (ISymbol member in type.GetMembers())
        {
            if (member.IsImplicitlyDeclared || member.DeclaringSyntaxReferences.Length == 0 || member is INamedTypeSymbol)
            {
                continue;
            }
            if (member is IMethodSymbol method)
            {
                if (method.PartialDefinitionPart is not null)
                {
                    continue;
                }
                yield return method.IsPartialDefinition && method.PartialImplementationPart is IMethodSymbol impl ? impl : method;
            }
            else if (member is IFieldSymbol or IPropertySymbol or IEventSymbol)
            {
                yield return member;
            }
        }
    }
}

// Builds the new-syntax -> old-syntax map that Roslyn uses to find a method's
// previous locals, lambdas and closures.
//
// 1. The two member declarations are matched top down: a node's children are
//    paired by the longest common subsequence of their syntax kinds (declarations
//    of locals and local functions also by the names they declare), and each
//    pair is matched recursively. When the versions only differ in literals or
//    expressions of the same shape, every node finds its counterpart (a
//    pre-order walk pairing).
// 2. Local functions left unmatched are paired by name; lambdas (and query
//    clauses) left unmatched are paired by their ordinal among the unmatched
//    lambdas of the same kind in the member. Each pair is matched recursively.
// 3. Variable declarators and other named local declarations left unmatched
//    are paired by name (and kind).
internal static class SyntaxMapBuilder
{
    public static Func<SyntaxNode, SyntaxNode?> Build(SyntaxNode[] oldDecls, SyntaxNode[] newDecls)
    {
        var map = new Dictionary<SyntaxNode, SyntaxNode>();
        var matchedOld = new HashSet<SyntaxNode>();

        int n = Math.Min(oldDecls.Length, newDecls.Length);
        for (int i = 0; i < n; i++)
        {
            Match(oldDecls[i], newDecls[i], map, matchedOld);
        }

        List<SyntaxNode> oldAll = oldDecls.SelectMany(d => d.DescendantNodesAndSelf()).ToList();
        List<SyntaxNode> newAll = newDecls.SelectMany(d => d.DescendantNodesAndSelf()).ToList();

        // 2. Local functions by name, then lambdas by ordinal.
        foreach (SyntaxNode newNode in newAll.Where(x => x is LocalFunctionStatementSyntax && !map.ContainsKey(x)))
        {
            string name = ((LocalFunctionStatementSyntax)newNode).Identifier.ValueText;
            SyntaxNode? oldNode = oldAll.FirstOrDefault(o =>
                o is LocalFunctionStatementSyntax lf && lf.Identifier.ValueText == name && !matchedOld.Contains(o));
            if (oldNode is not null)
            {
                Match(oldNode, newNode, map, matchedOld);
            }
        }
        foreach (IGrouping<SyntaxKind, SyntaxNode> group in newAll.Where(IsLambdaLike).GroupBy(x => x.Kind()))
        {
            List<SyntaxNode> oldLambdas = oldAll.Where(o => o.IsKind(group.Key) && !matchedOld.Contains(o)).ToList();
            List<SyntaxNode> newLambdas = group.Where(x => !map.ContainsKey(x)).ToList();
            for (int i = 0; i < Math.Min(oldLambdas.Count, newLambdas.Count); i++)
            {
                if (!matchedOld.Contains(oldLambdas[i]) && !map.ContainsKey(newLambdas[i]))
                {
                    Match(oldLambdas[i], newLambdas[i], map, matchedOld);
                }
            }
        }

        // 3. Locals by name.
        foreach (SyntaxNode newNode in newAll)
        {
            if (map.ContainsKey(newNode) || LocalName(newNode) is not string name)
            {
                continue;
            }
            SyntaxNode? oldNode = oldAll.FirstOrDefault(o =>
                o.RawKind == newNode.RawKind && !matchedOld.Contains(o) && LocalName(o) == name);
            if (oldNode is not null)
            {
                Match(oldNode, newNode, map, matchedOld);
            }
        }

        // Roslyn hands back the very nodes of the new trees; fall back to
        // (tree, span, kind) in case a node object was re-created.
        var bySpan = new Dictionary<(SyntaxTree, TextSpan, int), SyntaxNode>();
        foreach (KeyValuePair<SyntaxNode, SyntaxNode> pair in map)
        {
            bySpan.TryAdd((pair.Key.SyntaxTree, pair.Key.Span, pair.Key.RawKind), pair.Value);
        }

        return node =>
        {
            if (map.TryGetValue(node, out SyntaxNode? old))
            {
                return old;
            }
            return bySpan.TryGetValue((node.SyntaxTree, node.Span, node.RawKind), out old) ? old : null;
        };
    }

    private static void Match(SyntaxNode oldNode, SyntaxNode newNode, Dictionary<SyntaxNode, SyntaxNode> map, HashSet<SyntaxNode> matchedOld)
    {
        if (oldNode.RawKind != newNode.RawKind || map.ContainsKey(newNode) || matchedOld.Contains(oldNode))
        {
            return;
        }
        map[newNode] = oldNode;
        matchedOld.Add(oldNode);

        SyntaxNode[] oldChildren = oldNode.ChildNodes().ToArray();
        SyntaxNode[] newChildren = newNode.ChildNodes().ToArray();
        foreach ((int o, int nw) in LongestCommonSubsequence(oldChildren, newChildren))
        {
            Match(oldChildren[o], newChildren[nw], map, matchedOld);
        }
    }

    private static List<(int Old, int New)> LongestCommonSubsequence(SyntaxNode[] a, SyntaxNode[] b)
    {
        int n = a.Length, m = b.Length;
        var pairs = new List<(int, int)>();
        if (n == m && Enumerable.Range(0, n).All(i => Same(a[i], b[i])))
        {
            for (int i = 0; i < n; i++)
            {
                pairs.Add((i, i));
            }
            return pairs;
        }

        var len = new int[n + 1, m + 1];
        for (int i = n - 1; i >= 0; i--)
        {
            for (int j = m - 1; j >= 0; j--)
            {
                len[i, j] = Same(a[i], b[j])
                    ? len[i + 1, j + 1] + 1
                    : Math.Max(len[i + 1, j], len[i, j + 1]);
            }
        }
        int x = 0, y = 0;
        while (x < n && y < m)
        {
            if (Same(a[x], b[y]) && len[x, y] == len[x + 1, y + 1] + 1)
            {
                pairs.Add((x, y));
                x++;
                y++;
            }
            else if (len[x + 1, y] >= len[x, y + 1])
            {
                x++;
            }
            else
            {
                y++;
            }
        }
        return pairs;
    }

    // Two children pair up when they have the same kind and, for declarations of
    // locals and local functions, declare the same names (so a declaration inserted
    // before another does not take over its lambdas).
    private static bool Same(SyntaxNode a, SyntaxNode b) =>
        a.RawKind == b.RawKind && DeclaredNames(a) == DeclaredNames(b);

    private static string DeclaredNames(SyntaxNode node) => node switch
    {
        LocalDeclarationStatementSyntax d => string.Join(",", d.Declaration.Variables.Select(v => v.Identifier.ValueText)),
        LocalFunctionStatementSyntax f => f.Identifier.ValueText,
        _ => "",
    };

    private static bool IsLambdaLike(SyntaxNode node) =>
        node is AnonymousFunctionExpressionSyntax ||
        node is QueryClauseSyntax ||
        node is SelectOrGroupClauseSyntax;

    private static string? LocalName(SyntaxNode node) => node switch
    {
        VariableDeclaratorSyntax v => v.Identifier.ValueText,
        SingleVariableDesignationSyntax s => s.Identifier.ValueText,
        ForEachStatementSyntax f => f.Identifier.ValueText,
        CatchDeclarationSyntax c when c.Identifier.ValueText.Length > 0 => c.Identifier.ValueText,
        LocalFunctionStatementSyntax l => l.Identifier.ValueText,
        _ => null,
    };
}
