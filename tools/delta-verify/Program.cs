// delta-verify: checks an EnC (hot reload) delta chain with System.Reflection.Metadata.
//
//   DeltaVerify <baseline.dll> <gen1.dmeta> [<gen2.dmeta> ...]
//   DeltaVerify --debug-info <assembly.dll> <file.pdb|file.dpdb> <method token>...   (DebugInfo.cs)
//
// For each X.dmeta, X.dil and X.dpdb are picked up when they exist.
// Exit codes: 0 = all checks passed, 1 = at least one check failed, 2 = usage / IO error.

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
    internal sealed class UsageException : Exception
    {
        public UsageException(string message) : base(message) { }
    }

    internal static class Program
    {
        private static int Main(string[] args)
        {
            Console.OutputEncoding = new UTF8Encoding(false);
            if (args.Length > 0 && args[0] == "--debug-info")
            {
                try
                {
                    return DebugInfo.Run(args.Skip(1).ToArray());
                }
                catch (Exception e) when (e is IOException or BadImageFormatException or InvalidOperationException or FormatException or UnauthorizedAccessException)
                {
                    Console.Error.WriteLine($"delta-verify: {e.GetType().Name}: {e.Message}");
                    return 2;
                }
            }

            try
            {
                var options = Options.Parse(args);
                var verifier = new Verifier(options);
                return verifier.Run();
            }
            catch (UsageException e)
            {
                Console.Error.WriteLine("delta-verify: " + e.Message);
                Console.Error.WriteLine(Options.UsageText);
                return 2;
            }
            catch (IOException e)
            {
                Console.Error.WriteLine("delta-verify: I/O error: " + e.Message);
                return 2;
            }
            catch (UnauthorizedAccessException e)
            {
                Console.Error.WriteLine("delta-verify: I/O error: " + e.Message);
                return 2;
            }
        }
    }

    internal sealed class GenerationFiles
    {
        public string Meta = "";
        public string? Il;
        public string? Pdb;
    }

    internal sealed class Options
    {
        public const string UsageText =
            "usage: DeltaVerify <baseline.dll> <gen1.dmeta> [<gen2.dmeta> ...]\n" +
            "  options (anywhere): --no-il   ignore .dil files\n" +
            "                      --no-pdb  ignore .dpdb files\n" +
            "                      -q        print only errors and the summary\n" +
            "  X.dil / X.dpdb next to X.dmeta are checked when they exist;\n" +
            "  '--il FILE' / '--pdb FILE' right after a .dmeta names them explicitly.";

        public string Baseline = "";
        public List<GenerationFiles> Generations = new();
        public bool Quiet;

        public static Options Parse(string[] args)
        {
            var o = new Options();
            bool noIl = false, noPdb = false;
            for (int i = 0; i < args.Length; i++)
            {
                string a = args[i];
                switch (a)
                {
                    case "-h":
                    case "--help":
                        throw new UsageException("help requested");
                    case "-q":
                    case "--quiet":
                        o.Quiet = true;
                        break;
                    case "--no-il":
                        noIl = true;
                        break;
                    case "--no-pdb":
                        noPdb = true;
                        break;
                    case "--il":
                    case "--pdb":
                        if (o.Generations.Count == 0 || i + 1 >= args.Length)
                            throw new UsageException(a + " must follow a .dmeta and name a file");
                        if (a == "--il") o.Generations[^1].Il = args[++i];
                        else o.Generations[^1].Pdb = args[++i];
                        break;
                    default:
                        if (a.StartsWith("-", StringComparison.Ordinal) && a.Length > 1)
                            throw new UsageException("unknown option " + a);
                        if (o.Baseline.Length == 0) o.Baseline = a;
                        else o.Generations.Add(new GenerationFiles { Meta = a });
                        break;
                }
            }

            if (o.Baseline.Length == 0 || o.Generations.Count == 0)
                throw new UsageException("need a baseline and at least one delta");

            if (!File.Exists(o.Baseline))
                throw new UsageException("baseline not found: " + o.Baseline);

            foreach (var g in o.Generations)
            {
                if (!File.Exists(g.Meta))
                    throw new UsageException("delta not found: " + g.Meta);
                if (g.Il == null)
                {
                    string p = Path.ChangeExtension(g.Meta, ".dil");
                    if (File.Exists(p)) g.Il = p;
                }
                else if (!File.Exists(g.Il))
                {
                    throw new UsageException("IL delta not found: " + g.Il);
                }

                if (g.Pdb == null)
                {
                    string p = Path.ChangeExtension(g.Meta, ".dpdb");
                    if (File.Exists(p)) g.Pdb = p;
                }
                else if (!File.Exists(g.Pdb))
                {
                    throw new UsageException("PDB delta not found: " + g.Pdb);
                }

                if (noIl) g.Il = null;
                if (noPdb) g.Pdb = null;
            }

            return o;
        }
    }
}
