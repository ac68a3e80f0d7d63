namespace Scn
{
    public static class Tax
    {
        static readonly decimal[] Rates = { 0.00m, 0.22m, 0.35m, 0.47m };

        public static decimal Due(decimal income, int band) => income * Rates[band];
    }

    public static class Program
    {
        public static string Run() => "due: " + Tax.Due(1000m, 1) + " " + Tax.Due(1000m, 3);
    }
}
