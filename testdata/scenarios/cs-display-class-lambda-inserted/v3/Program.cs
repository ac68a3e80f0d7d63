using System;
using System.Linq;

namespace App
{
    public static class Program
    {
        // A closure made by the first call: after each update it must still run its own
        // lambda (`add`), whatever ordinal that lambda has in the updated build.
        static Func<int, int> saved;

        public static string Run()
        {
            saved ??= Make(3, false);
            return "values: " + string.Join(",", new[] { 1, 2, 3 }.Select(Make(2, true))) + " saved: " + saved(10);
        }

        // The lambdas capture the same variables, so they share one display class.
        static Func<int, int> Make(int factor, bool alt)
        {
            int offset = 1;
            Func<int, int> neg = x => -x * factor - offset;
            Func<int, int> twice = x => x * factor * 2 + offset;
            Func<int, int> add = x => x * factor + offset;
            return alt ? neg : add;
        }
    }
}
