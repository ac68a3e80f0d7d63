// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record InventoryItem(int Id, string Name, double Weight);

public static class InventoryOps
{
    public static InventoryItem Make(int id) => new(id, "inventory-" + id, id * 1.5);

    public static int Scale(int x) => x * 4 + 2;

    public static double Total(IEnumerable<InventoryItem> items) => items.Sum(i => i.Weight);

    public static string Describe(InventoryItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => MoneyOps.Scale(x) + 1;
}
