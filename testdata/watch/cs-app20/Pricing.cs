// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record PricingItem(int Id, string Name, double Weight);

public static class PricingOps
{
    public static PricingItem Make(int id) => new(id, "pricing-" + id, id * 1.5);

    public static int Scale(int x) => x * 7 + 5;

    public static double Total(IEnumerable<PricingItem> items) => items.Sum(i => i.Weight);

    public static string Describe(PricingItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => CustomersOps.Scale(x) + 1;
}
