// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record CustomersItem(int Id, string Name, double Weight);

public static class CustomersOps
{
    public static CustomersItem Make(int id) => new(id, "customers-" + id, id * 1.5);

    public static int Scale(int x) => x * 6 + 4;

    public static double Total(IEnumerable<CustomersItem> items) => items.Sum(i => i.Weight);

    public static string Describe(CustomersItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => OrdersOps.Scale(x) + 1;
}
