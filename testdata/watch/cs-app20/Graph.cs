// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record GraphItem(int Id, string Name, double Weight);

public static class GraphOps
{
    public static GraphItem Make(int id) => new(id, "graph-" + id, id * 1.5);

    public static int Scale(int x) => x * 17 + 15;

    public static double Total(IEnumerable<GraphItem> items) => items.Sum(i => i.Weight);

    public static string Describe(GraphItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => MatrixOps.Scale(x) + 1;
}
