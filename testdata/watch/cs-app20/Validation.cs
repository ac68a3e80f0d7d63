// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record ValidationItem(int Id, string Name, double Weight);

public static class ValidationOps
{
    public static ValidationItem Make(int id) => new(id, "validation-" + id, id * 1.5);

    public static int Scale(int x) => x * 14 + 12;

    public static double Total(IEnumerable<ValidationItem> items) => items.Sum(i => i.Weight);

    public static string Describe(ValidationItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => ParsingOps.Scale(x) + 1;
}
