using System;
using System.Linq;

namespace App
{
    public static class Program
    {
        public static string Run()
        {
            Func<int, int> inc = x => x + 1;
            Func<int, int> dbl = x => x * 2;
            int Square(int v) => v * v;
            return "values: " + string.Join(",", new[] { 1, 2, 3 }.Select(inc).Select(dbl).Select(Square));
        }
    }
}
