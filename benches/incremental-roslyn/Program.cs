// The incremental C# compile of the warm compiler, timed alone: two copies of
// testdata/watch/cs-app20, one compiled with the captured command line as watch's fast
// path compiles it (nullable flow analysis left out), the other with CS8600 raised to an
// error (so the analysis runs), edited and compiled in turn, N times each, in this one
// process, so both see the same machine. With COPIES, each copy of the sample holds that
// many more copies of its 19 other source files (in namespaces of their own), to see how
// the whole-assembly compile grows with the project. Prints the medians; run with the
// warm compiler's settings (see BENCHMARKS.md).
//
//   IncrementalRoslynBench.dll [N] [COPIES]

using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;

internal static class Program
{
    private static int Main(string[] argv)
    {
        var n = argv.Length > 0 ? int.Parse(argv[0]) : 60;
        var copies = argv.Length > 1 ? int.Parse(argv[1]) : 0;
        var repo = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../.."));
        var sample = Path.Combine(repo, "testdata/watch/cs-app20");
        var root = Directory.CreateTempSubdirectory("incremental-roslyn-").FullName;
        try
        {
            var modes = new[] { ("nullable analysis left out", new string[0]), ("nullable analysis run", new[] { "/warnaserror+:CS8600" }) };
            var projects = modes.Select((m, i) => Prepare(sample, Path.Combine(root, "app" + i), copies, m.Item2)).ToList();
            var times = modes.Select(_ => new List<double>()).ToList();
            var skipped = new bool[modes.Length];
            const int warmUp = 10;
            for (var edit = 0; edit < n + warmUp; edit++)
            {
                for (var i = 0; i < projects.Count; i++)
                {
                    var (dir, args) = projects[i];
                    var source = Path.Combine(dir, "Calculator.cs");
                    var text = File.ReadAllText(source);
                    var at = text.IndexOf("6 * ", StringComparison.Ordinal);
                    var end = text.IndexOf(';', at);
                    File.WriteAllText(source, text[..at] + $"6 * {100 + edit}" + text[end..]);
                    var output = new StringWriter();
                    var clock = Stopwatch.StartNew();
                    var exit = IncrementalRoslyn.Compile("csharp", dir, args, output, out skipped[i]);
                    var ms = clock.Elapsed.TotalMilliseconds;
                    if (exit != 0) throw new InvalidOperationException(output.ToString());
                    if (edit >= warmUp) times[i].Add(ms);
                    GC.Collect(); // as the warm compiler does between saves
                }
            }
            var files = Directory.GetFiles(projects[0].Item1, "*.cs").Length;
            Console.WriteLine($"{files} source files; {n} compiles each, interleaved, after {warmUp} untimed");
            for (var i = 0; i < modes.Length; i++)
            {
                var t = times[i].OrderBy(x => x).ToList();
                Console.WriteLine($"{modes[i].Item1} (skipped: {skipped[i]}): median {t[t.Count / 2]:F1} ms, min {t[0]:F1}, max {t[^1]:F1}");
            }
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// A built copy of the sample in `dir` (with `copies` more of its files) and its captured
    /// csc command line (as watch captures it; without `/refout`, as watch compiles the
    /// watched project), plus `extra`.
    private static (string, string[]) Prepare(string sample, string dir, int copies, string[] extra)
    {
        Copy(sample, dir);
        foreach (var file in Directory.GetFiles(sample, "*.cs").Where(f => Path.GetFileName(f) != "Program.cs"))
        {
            var text = File.ReadAllText(file);
            for (var k = 1; k <= copies; k++)
            {
                var copy = Path.Combine(dir, $"{Path.GetFileNameWithoutExtension(file)}.Copy{k}.cs");
                File.WriteAllText(copy, text.Replace("namespace CsApp20;", $"namespace CsApp20.Copy{k};"));
            }
        }
        Run(dir, "build", "-c", "Debug", "-nologo", "-v", "q");
        var json = Run(dir, "msbuild", "-t:Compile", "-nologo", "-v:q", "-p:Configuration=Debug",
            "-p:ProvideCommandLineArgs=true", "-p:SkipCompilerExecution=true", "-p:NonExistentFile=__never__/never",
            "-getItem:CscCommandLineArgs");
        using var doc = JsonDocument.Parse(json[json.IndexOf('{')..]);
        var args = doc.RootElement.GetProperty("Items").GetProperty("CscCommandLineArgs").EnumerateArray()
            .Select(i => i.GetProperty("Identity").GetString()!)
            .Where(a => !a.StartsWith("/refout:", StringComparison.Ordinal))
            .Concat(extra)
            .ToArray();
        return (dir, args);
    }

    private static void Copy(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
    }

    private static string Run(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet", args) { WorkingDirectory = dir, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"dotnet {string.Join(' ', args)}: {output}");
        return output;
    }
}
