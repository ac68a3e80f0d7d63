// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record MoneyItem(int Id, string Name, double Weight);

public static class MoneyOps
{
    public static MoneyItem Make(int id) => new(id, "money-" + id, id * 1.5);

    public static int Scale(int x) => x * 3 + 1;

    public static double Total(IEnumerable<MoneyItem> items) => items.Sum(i => i.Weight);

    public static string Describe(MoneyItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => GeometryOps.Scale(x) + 1;
}
