// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record OrdersItem(int Id, string Name, double Weight);

public static class OrdersOps
{
    public static OrdersItem Make(int id) => new(id, "orders-" + id, id * 1.5);

    public static int Scale(int x) => x * 5 + 3;

    public static double Total(IEnumerable<OrdersItem> items) => items.Sum(i => i.Weight);

    public static string Describe(OrdersItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => InventoryOps.Scale(x) + 1;
}
