// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record ParsingItem(int Id, string Name, double Weight);

public static class ParsingOps
{
    public static ParsingItem Make(int id) => new(id, "parsing-" + id, id * 1.5);

    public static int Scale(int x) => x * 13 + 11;

    public static double Total(IEnumerable<ParsingItem> items) => items.Sum(i => i.Weight);

    public static string Describe(ParsingItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => TextOps.Scale(x) + 1;
}
