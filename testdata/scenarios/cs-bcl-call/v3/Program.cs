using System;
using System.Linq;

namespace App
{
    public static class Program
    {
        public static string Run()
        {
            int sum = Enumerable.Range(1, 10).Sum();
            int last = Enumerable.Range(1, 4).Reverse().First();
            int distinct = Enumerable.Repeat(3, 5).Distinct().Count();
            return "sum=" + sum + " last=" + last + " distinct=" + distinct;
        }
    }
}
