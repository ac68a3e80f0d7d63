// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record CacheItem(int Id, string Name, double Weight);

public static class CacheOps
{
    public static CacheItem Make(int id) => new(id, "cache-" + id, id * 1.5);

    public static int Scale(int x) => x * 18 + 16;

    public static double Total(IEnumerable<CacheItem> items) => items.Sum(i => i.Weight);

    public static string Describe(CacheItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => GraphOps.Scale(x) + 1;
}
