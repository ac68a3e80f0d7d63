namespace Scn
{
    public static class Tax
    {
        static readonly decimal[] Rates = { 0.00m, 0.20m, 0.35m, 0.45m };
        static readonly string Prefix = "due";

        public static string Due(decimal income, int band) => Prefix + ": " + (income * Rates[band]);
    }

    public static class Program
    {
        public static string Run() => Tax.Due(1000m, 1);
    }
}
