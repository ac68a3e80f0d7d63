// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record EventsItem(int Id, string Name, double Weight);

public static class EventsOps
{
    public static EventsItem Make(int id) => new(id, "events-" + id, id * 1.5);

    public static int Scale(int x) => x * 19 + 17;

    public static double Total(IEnumerable<EventsItem> items) => items.Sum(i => i.Weight);

    public static string Describe(EventsItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => CacheOps.Scale(x) + 1;
}
