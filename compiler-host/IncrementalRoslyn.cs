// Incremental C# and VB compiles for the warm compiler host: the SDK's own Roslyn, kept
// in memory with the project's compilation, so a save re-parses only the files whose bytes
// changed and emits the whole assembly again (the same bytes csc/vbc would write for
// the same command line: a test compares them with `dotnet build`'s).
//
// This file runs inside the compiler's AssemblyLoadContext (the host loads a second copy
// of its own assembly there), so `Microsoft.CodeAnalysis` is the SDK's copy beside csc.dll,
// the one whose version the captured command line was made for. Its entry point takes and
// returns framework types only.
//
// What it does as csc/vbc do: the command line parsed by Roslyn's own parser; sources
// read as bytes with the checksum algorithm and encoding it names; references, analyzer
// config (editorconfig severities, `generated_code`), source generators and additional
// files; the Win32 version resource and manifest, manifest resources, source link,
// embedded sources, XML documentation, the reference assembly (`/refout`), and the PDB
// path as the path map writes it. What it leaves out: diagnostic analyzers (they cannot
// change the output; an analyzer error that would fail `dotnet build` does not stop this
// compile, as with `dotnet watch`), scripts, and, where it can only report warnings, C#'s
// nullable flow analysis (`SkipsNullableAnalysis`).

using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Emit;
using Microsoft.CodeAnalysis.Text;
using Microsoft.CodeAnalysis.VisualBasic;

public static class IncrementalRoslyn
{
    // The projects compiled so far, by folder and output file name; a changed command line
    // for one replaces its state.
    private static readonly Dictionary<string, IncrementalProject> projects = new();

    /// Compiles `args` (a csc/vbc command line, `@response` files allowed) in `cwd`;
    /// returns the exit code, diagnostics written to `output`; `skippedNullableAnalysis`
    /// says whether C#'s nullable flow analysis was left out (`SkipsNullableAnalysis`).
    public static int Compile(string language, string cwd, string[] args, TextWriter output, out bool skippedNullableAnalysis)
    {
        skippedNullableAnalysis = false;
        var csharp = language == "csharp";
        var libs = Environment.GetEnvironmentVariable("LIB");
        CommandLineArguments arguments = csharp
            ? CSharpCommandLineParser.Default.Parse(args, cwd, sdkDirectory: null, additionalReferenceDirectories: libs)
            : VisualBasicCommandLineParser.Default.Parse(args, cwd, sdkDirectory: null, additionalReferenceDirectories: libs);
        var errors = arguments.Errors.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        foreach (var e in errors) output.WriteLine(e.ToString());
        if (errors.Count > 0) return 1;
        if (arguments.OutputFileName is null)
        {
            output.WriteLine("error: no /out: option (the incremental compile needs the output name)");
            return 1;
        }
        var key = InputsKey(cwd, args, arguments.OutputFileName);
        var slot = cwd + "\0" + arguments.OutputFileName;
        if (!projects.TryGetValue(slot, out var project) || project.Key != key || project.Stale)
        {
            project = new IncrementalProject(csharp, arguments, key);
            projects[slot] = project;
        }
        var exit = project.Compile(arguments, output);
        skippedNullableAnalysis = project.SkipsNullableAnalysis;
        return exit;
    }

    /// What the compile reads: the command line with response files expanded, less the
    /// output paths (a warm-up compiles into another folder and shares the state).
    private static string InputsKey(string cwd, string[] args, string outputName)
    {
        var key = new StringBuilder(cwd).Append('\0').Append(outputName).Append('\0');
        foreach (var a in args)
        {
            var lines = a.StartsWith('@') ? ResponseFileLines(Path.Combine(cwd, a.Substring(1).Trim('"'))) : new[] { a };
            foreach (var line in lines)
            {
                if (!IsOutputPath(line)) key.Append(line).Append('\0');
            }
        }
        return key.ToString();
    }

    private static string[] ResponseFileLines(string path) =>
        File.Exists(path) ? File.ReadAllLines(path) : new[] { "missing:" + path };

    private static bool IsOutputPath(string arg)
    {
        var option = arg.TrimStart('/', '-');
        return option.Length < arg.Length
            && new[] { "out:", "pdb:", "refout:" }.Any(o => option.StartsWith(o, StringComparison.OrdinalIgnoreCase));
    }
}

internal sealed class IncrementalProject
{
    public readonly string Key;
    private readonly bool csharp;
    private readonly CommandLineArguments arguments;
    private readonly AnalyzerConfigSet configs;
    // The parse options of every tree, source and generated: the command line's, with
    // nullable flow analysis turned off while that is safe (`SkipsNullableAnalysis`).
    private ParseOptions parseOptions;
    private readonly ImmutableArray<ISourceGenerator> generators;
    private readonly ImmutableArray<Diagnostic> generatorLoadErrors;
    private readonly Dictionary<string, (byte[] Bytes, SyntaxTree Tree)> trees = new();
    private readonly Dictionary<string, (DateTime Written, long Length, MetadataReference Reference)> references = new();
    // The files read once per project (analyzer config, additional files, generators).
    private readonly List<(string Path, DateTime Written, long Length)> stamps;
    private Compilation? compilation;
    private GeneratorDriver? driver;

    public IncrementalProject(bool csharp, CommandLineArguments inputs, string key)
    {
        Key = key;
        this.csharp = csharp;
        arguments = inputs;
        var configTexts = new List<AnalyzerConfig>();
        foreach (var path in arguments.AnalyzerConfigPaths)
            configTexts.Add(AnalyzerConfig.Parse(SourceText.From(File.ReadAllText(path)), path));
        configs = AnalyzerConfigSet.Create(configTexts);
        (generators, generatorLoadErrors) = LoadGenerators();
        parseOptions = csharp && NullableWarningsStayWarnings()
            ? WithoutNullableAnalysis((CSharpParseOptions)arguments.ParseOptions)
            : arguments.ParseOptions;
        stamps = arguments.AnalyzerConfigPaths
            .Concat(arguments.AdditionalFiles.Select(f => f.Path))
            .Concat(arguments.AnalyzerReferences.Select(a => AnalyzerPath(a.FilePath)))
            .Select(Stamp).ToList();
    }

    /// Whether a file read once per project changed since: the project must start over.
    public bool Stale => stamps.Any(s => Stamp(s.Path) != s);

    private static (string, DateTime, long) Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (path, info.LastWriteTimeUtc, info.Length) : (path, default, -1);
    }

    private string AnalyzerPath(string path) => Path.GetFullPath(path, arguments.BaseDirectory ?? Environment.CurrentDirectory);

    /// Whether C#'s nullable flow analysis is left out of this project's compiles. It only
    /// reports warnings, and the output does not depend on it (Roslyn itself skips it where
    /// the nullable warning context is off; a test compares the bytes with `dotnet build`'s),
    /// so it is left out (about a tenth of a compile) while no nullable warning is raised to
    /// an error and no source generator adds source (one could read the flow state).
    public bool SkipsNullableAnalysis => !ReferenceEquals(parseOptions, arguments.ParseOptions);

    private const string NullableAnalysisFeature = "run-nullable-analysis";

    private static ParseOptions WithoutNullableAnalysis(CSharpParseOptions options) =>
        options.Features.ContainsKey(NullableAnalysisFeature)
            ? options
            : options.WithFeatures(options.Features.Append(new KeyValuePair<string, string>(NullableAnalysisFeature, "never")));

    /// True when no nullable warning can fail the build: no `/warnaserror+`, and none of
    /// them raised to an error by `/warnaserror+:ID`, a globalconfig or an editorconfig.
    private bool NullableWarningsStayWarnings()
    {
        var options = arguments.CompilationOptions;
        if (options.GeneralDiagnosticOption == ReportDiagnostic.Error) return false;
        // The nullable warnings, as the compiler itself lists them for `/warnaserror+:nullable`.
        var nullable = CSharpCommandLineParser.Default.Parse(new[] { "/warnaserror+:nullable" }, arguments.BaseDirectory ?? ".", sdkDirectory: null)
            .CompilationOptions.SpecificDiagnosticOptions.Keys.ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (nullable.Count == 0) return false;
        bool raised(IEnumerable<KeyValuePair<string, ReportDiagnostic>> severities) =>
            severities.Any(s => s.Value == ReportDiagnostic.Error && nullable.Contains(s.Key));
        return !raised(options.SpecificDiagnosticOptions)
            && !raised(configs.GlobalConfigOptions.TreeOptions)
            && !arguments.SourceFiles.Any(f => raised(configs.GetOptionsForSourcePath(f.Path).TreeOptions));
    }

    /// Compiles this project's inputs into the outputs `outputs` names.
    public int Compile(CommandLineArguments outputs, TextWriter output)
    {
        var diagnostics = new List<Diagnostic>(generatorLoadErrors);
        var sourceTrees = ReadSources(output);
        if (sourceTrees is null) return 1;
        var refs = ResolveReferences(output);
        if (refs is null) return 1;

        compilation = Update(compilation, sourceTrees, refs);
        driver ??= CreateDriver();
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var withGenerated, out var generatorDiagnostics);
        if (SkipsNullableAnalysis && withGenerated.SyntaxTrees.Count() != compilation.SyntaxTrees.Count())
        {
            // A generator added source: from now on with the command line's own options.
            parseOptions = arguments.ParseOptions;
            trees.Clear();
            compilation = null;
            driver = null;
            return Compile(outputs, output);
        }
        diagnostics.AddRange(generatorDiagnostics);

        var emitted = Emit(withGenerated, outputs, diagnostics);
        var failed = false;
        foreach (var d in diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning))
        {
            if (d.Severity == DiagnosticSeverity.Error) failed = true;
            output.WriteLine(d.ToString());
        }
        if (failed || emitted is null) return 1;
        foreach (var (path, bytes) in emitted) WriteAtomically(path, bytes);
        return 0;
    }

    /// The project's syntax trees, re-parsing only files whose bytes changed; null after
    /// reporting a file that cannot be read.
    private List<SyntaxTree>? ReadSources(TextWriter output)
    {
        var result = new List<SyntaxTree>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in arguments.SourceFiles)
        {
            var path = file.Path;
            if (!seen.Add(path)) continue; // csc: warning CS2002, the file is compiled once
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                output.WriteLine(csharp
                    ? $"error CS2001: Source file '{path}' could not be found."
                    : $"vbc : error BC2001: file '{path}' could not be found");
                return null;
            }
            if (!trees.TryGetValue(path, out var cached) || !cached.Bytes.AsSpan().SequenceEqual(bytes))
            {
                cached = (bytes, Parse(bytes, path));
                trees[path] = cached;
            }
            result.Add(cached.Tree);
        }
        return result;
    }

    private SyntaxTree Parse(byte[] bytes, string path)
    {
        // csc decodes a file that is not UTF-8 with a fallback code page; leave that to it
        // (the host then compiles with csc's entry point from here on).
        if (arguments.Encoding is null && !System.Text.Unicode.Utf8.IsValid(bytes))
            throw new NotSupportedException(path + " is not UTF-8 and no /codepage is given");
        var text = SourceText.From(bytes, bytes.Length, arguments.Encoding, arguments.ChecksumAlgorithm,
            throwIfBinaryDetected: false, canBeEmbedded: arguments.EmbeddedFiles.Length > 0);
        return csharp
            ? CSharpSyntaxTree.ParseText(text, (CSharpParseOptions)parseOptions, path)
            : VisualBasicSyntaxTree.ParseText(text, (VisualBasicParseOptions)parseOptions, path);
    }

    /// The metadata references, read again only when a file changed on disk; null after
    /// reporting one that is missing (the marker watch reads as a stale invocation).
    private List<MetadataReference>? ResolveReferences(TextWriter output)
    {
        var result = new List<MetadataReference>();
        foreach (var r in arguments.MetadataReferences)
        {
            var path = ResolveReferencePath(r.Reference);
            var info = path is null ? null : new FileInfo(path);
            if (info is null || !info.Exists)
            {
                output.WriteLine(csharp
                    ? $"error CS0006: Metadata file '{r.Reference}' could not be found"
                    : $"vbc : error BC2017: could not find library '{r.Reference}'");
                return null;
            }
            var key = info.FullName + "\0" + string.Join(",", r.Properties.Aliases) + "\0" + r.Properties.EmbedInteropTypes;
            if (!references.TryGetValue(key, out var cached) || cached.Written != info.LastWriteTimeUtc || cached.Length != info.Length)
            {
                cached = (info.LastWriteTimeUtc, info.Length, MetadataReference.CreateFromFile(info.FullName, r.Properties));
                references[key] = cached;
            }
            result.Add(cached.Reference);
        }
        return result;
    }

    private string? ResolveReferencePath(string reference)
    {
        if (Path.IsPathRooted(reference)) return reference;
        var directories = new[] { arguments.BaseDirectory }.Concat(arguments.ReferencePaths);
        foreach (var dir in directories)
        {
            if (dir is null) continue;
            var candidate = Path.Combine(dir, reference);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// The compilation for these trees and references: the previous one with the changed
    /// trees replaced when the file list is the same, else a new one.
    private Compilation Update(Compilation? previous, List<SyntaxTree> sourceTrees, List<MetadataReference> refs)
    {
        if (previous is not null && previous.SyntaxTrees.Count() == sourceTrees.Count
            && previous.SyntaxTrees.Zip(sourceTrees).All(p => p.First.FilePath == p.Second.FilePath))
        {
            var next = previous;
            foreach (var (old, tree) in previous.SyntaxTrees.Zip(sourceTrees).ToList())
            {
                if (!ReferenceEquals(old, tree)) next = next.ReplaceSyntaxTree(old, tree);
            }
            if (!previous.References.SequenceEqual(refs)) next = next.WithReferences(refs);
            return next;
        }
        var options = CompilationOptions(sourceTrees);
        return csharp
            ? CSharpCompilation.Create(arguments.CompilationName, sourceTrees, refs, (CSharpCompilationOptions)options)
            : VisualBasicCompilation.Create(arguments.CompilationName, sourceTrees, refs, (VisualBasicCompilationOptions)options);
    }

    private CompilationOptions CompilationOptions(List<SyntaxTree> sourceTrees)
    {
        var identities = DesktopAssemblyIdentityComparer.Default;
        if (arguments.AppConfigPath is { } appConfig)
        {
            using var stream = File.OpenRead(appConfig);
            identities = DesktopAssemblyIdentityComparer.LoadFromXml(stream);
        }
        return arguments.CompilationOptions
            .WithAssemblyIdentityComparer(identities)
            .WithXmlReferenceResolver(new XmlFileResolver(arguments.BaseDirectory))
            .WithSourceReferenceResolver(new SourceFileResolver(ImmutableArray<string>.Empty, arguments.BaseDirectory, arguments.PathMap))
            .WithStrongNameProvider(new DesktopStrongNameProvider(arguments.KeyFileSearchPaths))
            .WithSyntaxTreeOptionsProvider(new ConfigTreeOptions(configs));
    }

    private (ImmutableArray<ISourceGenerator>, ImmutableArray<Diagnostic>) LoadGenerators()
    {
        var loader = new AnalyzerLoader(AssemblyLoadContext.GetLoadContext(typeof(Compilation).Assembly)!);
        var result = ImmutableArray.CreateBuilder<ISourceGenerator>();
        var errors = ImmutableArray.CreateBuilder<Diagnostic>();
        var language = csharp ? LanguageNames.CSharp : LanguageNames.VisualBasic;
        foreach (var a in arguments.AnalyzerReferences)
        {
            var path = AnalyzerPath(a.FilePath);
            var reference = new AnalyzerFileReference(path, loader);
            reference.AnalyzerLoadFailed += (_, e) => errors.Add(Diagnostic.Create(
                new DiagnosticDescriptor("ED0001", "generator load failed", "{0}: {1}", "Compiler", DiagnosticSeverity.Warning, true),
                Location.None, path, e.Message));
            result.AddRange(reference.GetGenerators(language));
        }
        return (result.ToImmutable(), errors.ToImmutable());
    }

    private GeneratorDriver CreateDriver()
    {
        var additional = arguments.AdditionalFiles.Select(f => (AdditionalText)new AdditionalFile(f.Path)).ToImmutableArray();
        var options = new GeneratorDriverOptions(IncrementalGeneratorOutputKind.Host, trackIncrementalGeneratorSteps: false,
            baseDirectory: arguments.GeneratedFilesOutputDirectory ?? arguments.OutputDirectory);
        var provider = new ConfigOptionsProvider(configs);
        return csharp
            ? CSharpGeneratorDriver.Create(generators, additional, (CSharpParseOptions)parseOptions, provider, options)
            : VisualBasicGeneratorDriver.Create(generators, additional, (VisualBasicParseOptions)parseOptions, provider, options);
    }

    /// Emits to memory; the files to write (path, bytes), or null when emit failed.
    private List<(string, byte[])>? Emit(Compilation final, CommandLineArguments outputs, List<Diagnostic> diagnostics)
    {
        var pePath = Path.Combine(outputs.OutputDirectory, outputs.OutputFileName!);
        var pdbPath = outputs.PdbPath ?? Path.ChangeExtension(pePath, ".pdb");
        var emitOptions = outputs.EmitOptions;
        var pdbFile = arguments.EmitPdb && emitOptions.DebugInformationFormat != DebugInformationFormat.Embedded;
        if (arguments.EmitPdb) emitOptions = emitOptions.WithPdbFilePath(MapPath(pdbPath));

        using var pe = new MemoryStream();
        using var pdb = pdbFile ? new MemoryStream() : null;
        using var xml = outputs.DocumentationPath is null ? null : new MemoryStream();
        using var refout = outputs.OutputRefFilePath is null ? null : new MemoryStream();
        using var win32 = Win32Resources(final);
        using var sourceLink = arguments.SourceLink is null ? null : File.OpenRead(arguments.SourceLink);
        var result = final.Emit(pe, pdb, xml, win32, arguments.ManifestResources, emitOptions,
            debugEntryPoint: null, sourceLinkStream: sourceLink, embeddedTexts: EmbeddedTexts(final),
            metadataPEStream: refout);
        diagnostics.AddRange(result.Diagnostics);
        if (!result.Success) return null;
        var files = new List<(string, byte[])> { (pePath, pe.ToArray()) };
        if (pdb is not null) files.Add((pdbPath, pdb.ToArray()));
        if (xml is not null) files.Add((outputs.DocumentationPath!, xml.ToArray()));
        if (refout is not null) files.Add((outputs.OutputRefFilePath!, refout.ToArray()));
        return files;
    }

    private Stream? Win32Resources(Compilation final)
    {
        if (arguments.Win32ResourceFile is { } res) return File.OpenRead(Path.GetFullPath(res, arguments.BaseDirectory!));
        using var manifest = arguments.Win32Manifest is { } m && !final.Options.OutputKind.Equals(OutputKind.NetModule)
            ? File.OpenRead(Path.GetFullPath(m, arguments.BaseDirectory!)) : null;
        using var icon = arguments.Win32Icon is { } i ? File.OpenRead(Path.GetFullPath(i, arguments.BaseDirectory!)) : null;
        return final.CreateDefaultWin32Resources(true, arguments.NoWin32Manifest, manifest, icon);
    }

    private IEnumerable<EmbeddedText>? EmbeddedTexts(Compilation final)
    {
        if (arguments.EmbeddedFiles.Length == 0) return null;
        var byPath = final.SyntaxTrees.GroupBy(t => t.FilePath).ToDictionary(g => g.Key, g => g.First());
        return arguments.EmbeddedFiles.Select(f => byPath.TryGetValue(f.Path, out var tree)
            ? EmbeddedText.FromSource(MapPath(f.Path), tree.GetText())
            : EmbeddedText.FromBytes(MapPath(f.Path), File.ReadAllBytes(f.Path), arguments.ChecksumAlgorithm)).ToList();
    }

    /// `path` as `/pathmap:` maps it (the first prefix that matches).
    private string MapPath(string path)
    {
        foreach (var (from, to) in arguments.PathMap)
        {
            if (path.StartsWith(from, StringComparison.Ordinal))
            {
                var rest = path.Substring(from.Length);
                return to.Contains('/') || !to.Contains('\\') ? to + rest.Replace('\\', '/') : to + rest.Replace('/', '\\');
            }
        }
        return path;
    }

    /// Writes beside the target, then renames: a killed host never leaves half a file.
    private static void WriteAtomically(string path, byte[] bytes)
    {
        var tmp = path + ".emit-delta-tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
    }
}

/// An additional file (`/additionalfile:`) as generators read it.
internal sealed class AdditionalFile : AdditionalText
{
    public AdditionalFile(string path) { Path = path; }
    public override string Path { get; }
    public override SourceText? GetText(CancellationToken cancellationToken = default) =>
        File.Exists(Path) ? SourceText.From(File.ReadAllText(Path), Encoding.UTF8) : null;
}

/// Editorconfig / globalconfig options as generators read them.
internal sealed class ConfigOptionsProvider : AnalyzerConfigOptionsProvider
{
    private readonly AnalyzerConfigSet configs;
    public ConfigOptionsProvider(AnalyzerConfigSet configs) { this.configs = configs; }
    public override AnalyzerConfigOptions GlobalOptions => new ConfigOptions(configs.GlobalConfigOptions.AnalyzerOptions);
    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => For(tree.FilePath);
    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => For(textFile.Path);
    private AnalyzerConfigOptions For(string path) => new ConfigOptions(configs.GetOptionsForSourcePath(path).AnalyzerOptions);
}

internal sealed class ConfigOptions : AnalyzerConfigOptions
{
    private readonly ImmutableDictionary<string, string> options;
    public ConfigOptions(ImmutableDictionary<string, string> options) { this.options = options; }
    public override bool TryGetValue(string key, out string value) => options.TryGetValue(key, out value!);
    public override IEnumerable<string> Keys => options.Keys;
}

/// Editorconfig severities and `generated_code` per tree, as the compiler applies them.
internal sealed class ConfigTreeOptions : SyntaxTreeOptionsProvider
{
    private readonly AnalyzerConfigSet configs;
    // Matching a path against every section is not free and the compiler asks per tree
    // and per diagnostic, from several threads; the configuration is fixed per project.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, AnalyzerConfigOptionsResult> byPath = new();
    public ConfigTreeOptions(AnalyzerConfigSet configs) { this.configs = configs; }

    private AnalyzerConfigOptionsResult For(SyntaxTree tree) =>
        byPath.GetOrAdd(tree.FilePath, configs.GetOptionsForSourcePath);

    public override GeneratedKind IsGenerated(SyntaxTree tree, CancellationToken cancellationToken)
    {
        var options = For(tree).AnalyzerOptions;
        if (!options.TryGetValue("generated_code", out var value)) return GeneratedKind.Unknown;
        return bool.TryParse(value, out var generated)
            ? (generated ? GeneratedKind.MarkedGenerated : GeneratedKind.NotGenerated)
            : GeneratedKind.Unknown;
    }

    public override bool TryGetDiagnosticValue(SyntaxTree tree, string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
        For(tree).TreeOptions.TryGetValue(diagnosticId, out severity);

    public override bool TryGetGlobalDiagnosticValue(string diagnosticId, CancellationToken cancellationToken, out ReportDiagnostic severity) =>
        configs.GlobalConfigOptions.TreeOptions.TryGetValue(diagnosticId, out severity);
}

/// Loads source generators: each folder in its own context; the compiler's assemblies
/// (Microsoft.CodeAnalysis and its dependencies) from the compiler's context, so the
/// generators implement the interfaces this compilation knows.
internal sealed class AnalyzerLoader : IAnalyzerAssemblyLoader
{
    private readonly AssemblyLoadContext compiler;
    private readonly Dictionary<string, AnalyzerContext> contexts = new();

    public AnalyzerLoader(AssemblyLoadContext compiler) { this.compiler = compiler; }

    public void AddDependencyLocation(string fullPath) { }

    public Assembly LoadFromPath(string fullPath)
    {
        var dir = Path.GetDirectoryName(fullPath)!;
        if (!contexts.TryGetValue(dir, out var context))
        {
            context = new AnalyzerContext(dir, compiler);
            contexts[dir] = context;
        }
        return context.LoadFromAssemblyPath(fullPath);
    }
}

internal sealed class AnalyzerContext : AssemblyLoadContext
{
    private readonly string dir;
    private readonly AssemblyLoadContext compiler;

    public AnalyzerContext(string dir, AssemblyLoadContext compiler) : base("analyzers:" + dir)
    {
        this.dir = dir;
        this.compiler = compiler;
    }

    protected override Assembly? Load(AssemblyName name)
    {
        try
        {
            return compiler.LoadFromAssemblyName(name);
        }
        catch (FileNotFoundException)
        {
        }
        var path = Path.Combine(dir, name.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
