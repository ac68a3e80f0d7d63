// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record TextItem(int Id, string Name, double Weight);

public static class TextOps
{
    public static TextItem Make(int id) => new(id, "text-" + id, id * 1.5);

    public static int Scale(int x) => x * 12 + 10;

    public static double Total(IEnumerable<TextItem> items) => items.Sum(i => i.Weight);

    public static string Describe(TextItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => CalendarOps.Scale(x) + 1;
}
