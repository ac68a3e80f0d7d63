// SrmDump: prints the canonical dump (docs/canonical-dump.md) of .NET PE files and bare
// metadata images using System.Reflection.Metadata, the reference the Rust reader is
// checked against.
//
// Usage:
//   SrmDump <list-file>      each line "<input path>\t<output path>"
//   SrmDump <input> -        one dump to stdout

using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace SrmDump;

internal static class Program
{
    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    private static int Main(string[] args)
    {
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

        if (args.Length == 2 && args[1] == "-")
        {
            using Stream stdout = Console.OpenStandardOutput();
            using var writer = new StreamWriter(stdout, Utf8NoBom, 1 << 16) { NewLine = "\n" };
            new Dumper(writer).DumpPath(args[0]);
            return 0;
        }

        if (args.Length != 1)
        {
            Console.Error.WriteLine("usage: SrmDump <list-file>   (lines: <input>\\t<output>)");
            Console.Error.WriteLine("       SrmDump <input> -");
            return 2;
        }

        string[] lines;
        try
        {
            lines = File.ReadAllLines(args[0]);
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"SrmDump: cannot read list file {args[0]}: {e.Message}");
            return 2;
        }

        foreach (string rawLine in lines)
        {
            string line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            int tab = line.IndexOf('\t');
            if (tab < 0)
            {
                Console.Error.WriteLine($"SrmDump: ignoring list line without a tab: {line}");
                continue;
            }

            string input = line.Substring(0, tab);
            string output = line.Substring(tab + 1);
            try
            {
                using var stream = new FileStream(output, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.SequentialScan);
                using var writer = new StreamWriter(stream, Utf8NoBom, 1 << 16) { NewLine = "\n" };
                new Dumper(writer).DumpPath(input);
            }
            catch (Exception e)
            {
                // Only reachable when the output itself cannot be written.
                Console.Error.WriteLine($"SrmDump: cannot write {output}: {e.Message}");
            }
        }

        return 0;
    }
}
