using System;

namespace Scn
{
    public sealed class Formatter
    {
        public override string ToString() => "fmt-" + (2 + 3);
    }

    public static class Geometry
    {
        static readonly double Factor = Math.Round(Math.Sqrt(2) * 3, 3);
        static readonly int Limit = Compute();
        // Reaches Formatter.ToString only through a virtual call on an object it made.
        static readonly string Label = ((object)new Formatter()).ToString();
        // A delegate the initializer invokes: its body runs at initialization.
        static readonly int Twice = Apply(x => x * 2, 21);

        static int Apply(Func<int, int> f, int x) => f(x);

        static int Compute() => 6 * 7;

        public static string Describe() => Factor + "/" + Limit + "/" + Label + "/" + Twice;
    }

    public static class Program
    {
        public static string Run() => "geometry: " + Geometry.Describe();
    }
}
