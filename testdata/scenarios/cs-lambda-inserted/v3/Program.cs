using System;
using System.Linq;

namespace App
{
    public static class Program
    {
        public static string Run()
        {
            Func<int, int> neg = x => -x;
            Func<int, int> dbl = x => x * 2;
            Func<int, int> inc = x => x + 1;
            return "values: " + string.Join(",", new[] { 1, 2, 3 }.Select(inc).Select(dbl).Select(neg));
        }
    }
}
