using System;
using System.Linq;

namespace App
{
    public static class Program
    {
        public static string Run()
        {
            int offset = 10;
            Func<int, int> add = x => x + offset;
            int scale = 3;
            Func<int, int> mul = x => x * scale + 1;
            return "values: " + string.Join(",", new[] { 1, 2, 3 }.Select(add).Select(mul));
        }
    }
}
