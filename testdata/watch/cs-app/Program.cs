// Sample for `emit-delta watch`: each line read from stdin prints the computed value
// and this process id. Edit Compute and save: the next line shows the new value.
using System;
using System.Reflection.Metadata;

[assembly: MetadataUpdateHandler(typeof(CsApp.UpdateLog))]

namespace CsApp;

public static class Calculator
{
    public static int Compute()
    {
        return 6 * 7;
    }
}

// Records what the update handlers were told, printed on the `handlers` command.
internal static class UpdateLog
{
    public static readonly System.Collections.Generic.List<string> Calls = new();

    public static void ClearCache(Type[]? types) => Calls.Add("ClearCache(" + Names(types) + ")");

    public static void UpdateApplication(Type[]? types) => Calls.Add("UpdateApplication(" + Names(types) + ")");

    private static string Names(Type[]? types) =>
        types is null ? "null" : string.Join(",", Array.ConvertAll(types, t => t.FullName));
}

internal static class Program
{
    private static void Main()
    {
        string? line;
        while ((line = Console.ReadLine()) is not null)
        {
            if (line == "handlers")
            {
                Console.WriteLine("handlers: " + string.Join(";", UpdateLog.Calls));
            }
            else
            {
                Console.WriteLine("value: " + Calculator.Compute() + " pid: " + Environment.ProcessId);
            }
        }
    }
}
