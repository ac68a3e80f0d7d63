// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record ShippingItem(int Id, string Name, double Weight);

public static class ShippingOps
{
    public static ShippingItem Make(int id) => new(id, "shipping-" + id, id * 1.5);

    public static int Scale(int x) => x * 8 + 6;

    public static double Total(IEnumerable<ShippingItem> items) => items.Sum(i => i.Weight);

    public static string Describe(ShippingItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => PricingOps.Scale(x) + 1;
}
