using System;
using System.Linq;

namespace App
{
    public static class Program
    {
        public static string Run()
        {
            int offset = 10;
            int scale = 3;
            Func<int, int> add = x => (x + offset) * scale;
            return "values: " + string.Join(",", new[] { 1, 2, 3 }.Select(add));
        }
    }
}
