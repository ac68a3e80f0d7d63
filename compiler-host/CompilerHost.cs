// The warm compiler of `emit-delta watch`: a process that loads the installed SDK's own
// compilers once and compiles again and again without restarting.
//
// Protocol (stdin/stdout, one JSON object per line, UTF-8):
//   host  -> watch, once at start:  {"ready":true,"pid":N}
//   watch -> host, per compile:     {"language":"fsharp"|"csharp"|"vb","compiler":"/sdk/.../fsc.dll",
//                                    "cwd":"/project/dir","args":["..."]}
//   host  -> watch, per compile:    {"exit":0,"output":"...","working_set":BYTES,"ms":N,"how":"...",
//                                    "nullable_analysis":"skipped" (C# incremental, when left out)}
// F#: FSharpChecker.Compile of the FSharp.Compiler.Service.dll beside the given fsc.dll
// (the entry point of fsc.dll ends the process on an error, FSharpChecker.Compile does not).
// C#, VB: incremental, in memory (IncrementalRoslyn.cs, with the Roslyn beside csc.dll /
// vbc.dll), unless EMIT_DELTA_INCREMENTAL=0 or it cannot run (then "incremental_error"
// says why); else the entry point of csc.dll / vbc.dll (which may pass the compile to a
// compiler server with /shared:). The reply's "how" says which compiled: "incremental",
// "entry-point" or "fsc". Each compiler lives in its own AssemblyLoadContext that
// resolves from the compiler's own folder (its deps.json).
// The host exits when its stdin ends (watch is gone); it never writes anything else to stdout.

using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;

internal sealed class CompilerContext : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver resolver;
    private readonly string folder;

    public CompilerContext(string compilerDll) : base("compiler:" + compilerDll)
    {
        resolver = new AssemblyDependencyResolver(compilerDll);
        folder = Path.GetDirectoryName(compilerDll) ?? ".";
    }

    // The compiler's deps.json first; then its folder (csc.dll's deps do not list the
    // VB compiler beside it, which the incremental compiler's code also names).
    protected override Assembly? Load(AssemblyName name)
    {
        var path = resolver.ResolveAssemblyToPath(name);
        if (path is null && name.Name is { } simple && simple.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
        {
            var beside = Path.Combine(folder, simple + ".dll");
            if (File.Exists(beside)) path = beside;
        }
        return path is null ? null : LoadFromAssemblyPath(path);
    }
}

internal interface ICompiler
{
    /// Compiles; returns the exit code, diagnostics written to `output`.
    int Compile(string[] args, TextWriter output);
}

/// csc.dll or vbc.dll: their entry point, which compiles in-process and returns the exit code.
internal sealed class RoslynCompiler : ICompiler
{
    private readonly MethodInfo entry;

    public RoslynCompiler(CompilerContext context, string dll)
    {
        var assembly = context.LoadFromAssemblyPath(dll);
        entry = assembly.EntryPoint ?? throw new InvalidOperationException(dll + " has no entry point");
    }

    public int Compile(string[] args, TextWriter output)
    {
        var result = entry.Invoke(null, new object[] { args });
        return result is int code ? code : 0;
    }
}

/// IncrementalRoslyn.Compile, in a copy of this assembly loaded into the compiler's context
/// (so its Roslyn types are the ones beside csc.dll).
internal sealed class IncrementalCompiler
{
    private readonly MethodInfo compile;
    private readonly string language;

    public IncrementalCompiler(CompilerContext context, string language)
    {
        this.language = language;
        var self = context.LoadFromAssemblyPath(typeof(CompilerHost).Assembly.Location);
        compile = self.GetType("IncrementalRoslyn", throwOnError: true)!.GetMethod("Compile")
            ?? throw new InvalidOperationException("IncrementalRoslyn.Compile not found");
    }

    public int Compile(string cwd, string[] args, TextWriter output, out bool skippedNullableAnalysis)
    {
        // The compiler server's option means nothing here.
        var own = args.Where(a => !a.StartsWith("/shared", StringComparison.OrdinalIgnoreCase)
            && !a.StartsWith("-shared", StringComparison.OrdinalIgnoreCase)).ToArray();
        var parameters = new object?[] { language, cwd, own, output, null };
        var exit = (int)compile.Invoke(null, parameters)!;
        skippedNullableAnalysis = parameters[4] is true;
        return exit;
    }
}

/// F#: FSharpChecker.Compile(argv) of FSharp.Compiler.Service.dll, run synchronously.
internal sealed class FSharpCompiler : ICompiler
{
    private readonly object checker;
    private readonly MethodInfo compile;
    private readonly MethodInfo runSynchronously;
    private readonly string programName;

    public FSharpCompiler(string fscDll)
    {
        programName = fscDll;
        var context = new CompilerContext(fscDll);
        var fcs = context.LoadFromAssemblyName(new AssemblyName("FSharp.Compiler.Service"));
        var core = context.LoadFromAssemblyName(new AssemblyName("FSharp.Core"));
        var checkerType = fcs.GetType("FSharp.Compiler.CodeAnalysis.FSharpChecker", throwOnError: true)!;
        var create = checkerType.GetMethod("Create", BindingFlags.Public | BindingFlags.Static)
            ?? throw new InvalidOperationException("FSharpChecker.Create not found");
        // Every parameter of Create is optional: null is F#'s None.
        checker = create.Invoke(null, new object?[create.GetParameters().Length])
            ?? throw new InvalidOperationException("FSharpChecker.Create returned null");
        compile = checkerType.GetMethods()
            .FirstOrDefault(m => m.Name == "Compile" && m.GetParameters().Length >= 1
                && m.GetParameters()[0].ParameterType == typeof(string[]))
            ?? throw new InvalidOperationException("FSharpChecker.Compile(string[]) not found");
        var asyncType = core.GetType("Microsoft.FSharp.Control.FSharpAsync", throwOnError: true)!;
        var resultType = compile.ReturnType.GetGenericArguments()[0];
        runSynchronously = asyncType.GetMethods(BindingFlags.Public | BindingFlags.Static)
            .First(m => m.Name == "RunSynchronously")
            .MakeGenericMethod(resultType);
    }

    public int Compile(string[] args, TextWriter output)
    {
        var argv = new string[args.Length + 1];
        argv[0] = programName;
        Array.Copy(args, 0, argv, 1, args.Length);
        var compileArgs = new object?[compile.GetParameters().Length];
        compileArgs[0] = argv;
        var job = compile.Invoke(checker, compileArgs);
        var runArgs = new object?[runSynchronously.GetParameters().Length];
        runArgs[0] = job;
        var result = runSynchronously.Invoke(null, runArgs)
            ?? throw new InvalidOperationException("FSharpChecker.Compile returned null");
        var type = result.GetType();
        var diagnostics = (Array?)type.GetProperty("Item1")?.GetValue(result) ?? Array.Empty<object>();
        var second = type.GetProperty("Item2")?.GetValue(result);
        var failed = false;
        foreach (var d in diagnostics)
        {
            if (d is null) continue;
            var severity = d.GetType().GetProperty("Severity")?.GetValue(d)?.ToString();
            if (severity == "Error") failed = true;
            output.WriteLine(d.ToString());
        }
        // Older compilers return an exit code, newer ones an exception option.
        if (second is int code) return failed && code == 0 ? 1 : code;
        if (second is not null)
        {
            var value = second.GetType().GetProperty("Value")?.GetValue(second);
            if (value is Exception e)
            {
                output.WriteLine(e.Message);
                return 1;
            }
        }
        return failed ? 1 : 0;
    }
}

internal static class CompilerHost
{
    private static readonly Dictionary<string, CompilerContext> contexts = new();
    private static readonly Dictionary<string, ICompiler> compilers = new();
    private static readonly Dictionary<string, IncrementalCompiler> incrementals = new();
    // Why the incremental compile could not run for a compiler: it is not tried again.
    private static readonly Dictionary<string, string> incrementalBroken = new();

    private static CompilerContext Context(string dll)
    {
        if (!contexts.TryGetValue(dll, out var context))
        {
            context = new CompilerContext(dll);
            contexts[dll] = context;
        }
        return context;
    }

    private static ICompiler Compiler(string language, string dll)
    {
        var key = language + "\n" + dll;
        if (!compilers.TryGetValue(key, out var compiler))
        {
            compiler = language switch
            {
                "fsharp" => new FSharpCompiler(dll),
                "csharp" or "vb" => new RoslynCompiler(Context(dll), dll),
                _ => throw new ArgumentException("unknown language `" + language + "`"),
            };
            compilers[key] = compiler;
        }
        return compiler;
    }

    private static bool IncrementalEnabled =>
        Environment.GetEnvironmentVariable("EMIT_DELTA_INCREMENTAL")?.Trim() != "0";

    /// Compiles C#/VB incrementally; null (and the reason in `broken`) when the incremental
    /// compiler cannot run here, so the caller compiles with the entry point instead.
    private static int? CompileIncrementally(string language, string dll, string cwd, string[] args, TextWriter output, out string? broken, out bool skippedNullableAnalysis)
    {
        skippedNullableAnalysis = false;
        var key = language + "\n" + dll;
        broken = null;
        if (incrementalBroken.TryGetValue(key, out var reason))
        {
            broken = reason;
            return null;
        }
        var text = new StringWriter();
        try
        {
            if (!incrementals.TryGetValue(key, out var incremental))
            {
                incremental = new IncrementalCompiler(Context(dll), language);
                incrementals[key] = incremental;
            }
            var exit = incremental.Compile(cwd, args, text, out skippedNullableAnalysis);
            output.Write(text.ToString());
            return exit;
        }
        catch (Exception e)
        {
            var inner = e is TargetInvocationException { InnerException: not null } t ? t.InnerException! : e;
            broken = inner.GetType().Name + ": " + inner.Message;
            incrementalBroken[key] = broken;
            incrementals.Remove(key);
            return null;
        }
    }

    private static JsonObject Handle(string line)
    {
        var watch = Stopwatch.StartNew();
        var request = JsonNode.Parse(line) as JsonObject
            ?? throw new ArgumentException("a request must be a JSON object");
        var language = (string?)request["language"] ?? throw new ArgumentException("no `language`");
        var dll = (string?)request["compiler"] ?? throw new ArgumentException("no `compiler`");
        var cwd = (string?)request["cwd"] ?? throw new ArgumentException("no `cwd`");
        var args = (request["args"] as JsonArray ?? throw new ArgumentException("no `args`"))
            .Select(a => (string?)a ?? throw new ArgumentException("`args` holds a non-string"))
            .ToArray();
        var text = new StringWriter();
        var stdout = Console.Out;
        var stderr = Console.Error;
        int exit;
        var how = language == "fsharp" ? "fsc" : "entry-point";
        string? broken = null;
        var skippedNullableAnalysis = false;
        try
        {
            Environment.CurrentDirectory = cwd;
            Console.SetOut(text);
            Console.SetError(text);
            int? incremental = language is "csharp" or "vb" && IncrementalEnabled
                ? CompileIncrementally(language, dll, cwd, args, text, out broken, out skippedNullableAnalysis)
                : null;
            if (incremental is int code)
            {
                exit = code;
                how = "incremental";
            }
            else
            {
                exit = Compiler(language, dll).Compile(args, text);
            }
        }
        catch (Exception e)
        {
            var inner = e is TargetInvocationException { InnerException: not null } t ? t.InnerException! : e;
            text.WriteLine("the compiler host failed: " + inner);
            exit = 1;
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }
        return new JsonObject
        {
            ["exit"] = exit,
            ["output"] = text.ToString(),
            ["working_set"] = Environment.WorkingSet,
            ["ms"] = watch.Elapsed.TotalMilliseconds,
            ["how"] = how,
            ["incremental_error"] = broken,
            ["nullable_analysis"] = skippedNullableAnalysis ? "skipped" : null,
        };
    }

    /// How long after a reply the host collects garbage, unless the next request came in.
    private static readonly TimeSpan CollectAfter = TimeSpan.FromMilliseconds(30);

    public static int Main()
    {
        var stdin = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false));
        var stdout = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true };
        // Nothing the compilers print may reach the protocol stream.
        Console.SetOut(TextWriter.Null);
        stdout.WriteLine(new JsonObject { ["ready"] = true, ["pid"] = Environment.ProcessId }.ToJsonString());
        // Requests are read on a thread of their own: a read waiting on a thread-pool
        // thread would leave the compilers (which run in parallel on the pool) one short.
        var requests = new BlockingCollection<string>();
        new Thread(() =>
        {
            while (stdin.ReadLine() is { } request) requests.Add(request);
            requests.CompleteAdding();
        }) { IsBackground = true, Name = "requests" }.Start();
        string? line = null;
        while (line is not null || requests.TryTake(out line, Timeout.Infinite))
        {
            if (line.Length == 0)
            {
                line = null;
                continue;
            }
            JsonObject reply;
            try
            {
                reply = Handle(line);
            }
            catch (Exception e)
            {
                reply = new JsonObject { ["exit"] = 1, ["output"] = "bad request: " + e.Message, ["working_set"] = Environment.WorkingSet, ["ms"] = 0 };
            }
            stdout.WriteLine(reply.ToJsonString());
            // Between saves, not during the next compile: the host runs with a young
            // generation large enough (DOTNET_GCgen0size, set by watch) for a compile's
            // allocations, so an emptied one lets the next compile run without a GC. Not
            // at once either: a full collection takes a core for about 10 ms, which watch
            // and the app need while they apply this compile's output.
            if (!requests.TryTake(out line, CollectAfter))
            {
                line = null;
                GC.Collect();
            }
        }
        return 0;
    }
}
