using System;

namespace Scn
{
    public static class Tax
    {
        static readonly decimal[] Rates = { 0.00m, 0.20m, 0.35m, 0.45m };
        static readonly string Prefix = "due";
        // Stored by the initializer, run only when called: its body can be updated.
        static readonly Func<decimal, decimal> Round = d => Math.Round(d, 0) + 0.5m;

        public static string Due(decimal income, int band) => Prefix + ": " + Round(income * Rates[band]);
    }

    public static class Program
    {
        public static string Run() => Tax.Due(2000m, 2);
    }
}
