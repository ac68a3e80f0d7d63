// Part of the 20-file sample for the watch latency benchmark.
using System.Collections.Generic;
using System.Linq;

namespace CsApp20;

public sealed record MatrixItem(int Id, string Name, double Weight);

public static class MatrixOps
{
    public static MatrixItem Make(int id) => new(id, "matrix-" + id, id * 1.5);

    public static int Scale(int x) => x * 16 + 14;

    public static double Total(IEnumerable<MatrixItem> items) => items.Sum(i => i.Weight);

    public static string Describe(MatrixItem item) => (item.Id % 3) switch
    {
        0 => "small " + item.Name,
        1 => "medium " + item.Name,
        _ => "large " + item.Name,
    };

    public static int Chained(int x) => StatisticsOps.Scale(x) + 1;
}
