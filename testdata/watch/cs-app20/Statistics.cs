// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record StatisticsItem(int Id, string Name, double Weight);

public static class StatisticsOps
{
    public static StatisticsItem Make(int id) => new(id, "statistics-" + id, id * 1.5);

    public static int Scale(int x) => x * 15 + 13;

    public static double Total(IEnumerable<StatisticsItem> items) => items.Sum(i => i.Weight);

    public static string Describe(StatisticsItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => ValidationOps.Scale(x) + 1;
}
