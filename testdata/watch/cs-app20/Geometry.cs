// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record GeometryItem(int Id, string Name, double Weight);

public static class GeometryOps
{
    public static GeometryItem Make(int id) => new(id, "geometry-" + id, id * 1.5);

    public static int Scale(int x) => x * 2 + 0;

    public static double Total(IEnumerable<GeometryItem> items) => items.Sum(i => i.Weight);

    public static string Describe(GeometryItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };
}
