// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record TaxesItem(int Id, string Name, double Weight);

public static class TaxesOps
{
    public static TaxesItem Make(int id) => new(id, "taxes-" + id, id * 1.5);

    public static int Scale(int x) => x * 9 + 7;

    public static double Total(IEnumerable<TaxesItem> items) => items.Sum(i => i.Weight);

    public static string Describe(TaxesItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => ShippingOps.Scale(x) + 1;
}
