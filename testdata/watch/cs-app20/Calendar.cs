// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record CalendarItem(int Id, string Name, double Weight);

public static class CalendarOps
{
    public static CalendarItem Make(int id) => new(id, "calendar-" + id, id * 1.5);

    public static int Scale(int x) => x * 11 + 9;

    public static double Total(IEnumerable<CalendarItem> items) => items.Sum(i => i.Weight);

    public static string Describe(CalendarItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => ReportsOps.Scale(x) + 1;
}
