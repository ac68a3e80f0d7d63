namespace Scn
{
    public static class Limits
    {
        public static readonly int Threshold;
        public static readonly string Label;

        static Limits()
        {
            Threshold = 1000;
            Label = "standard";
        }
    }

    public static class Program
    {
        public static string Run() => Limits.Label + ": " + Limits.Threshold;
    }
}
