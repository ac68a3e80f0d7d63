// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record ReportsItem(int Id, string Name, double Weight);

public static class ReportsOps
{
    public static ReportsItem Make(int id) => new(id, "reports-" + id, id * 1.5);

    public static int Scale(int x) => x * 10 + 8;

    public static double Total(IEnumerable<ReportsItem> items) => items.Sum(i => i.Weight);

    public static string Describe(ReportsItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => TaxesOps.Scale(x) + 1;
}
