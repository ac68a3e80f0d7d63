using System;

namespace App
{
    public static class Program
    {
        private static int Sum(int[] values)
        {
            int total = 0;
            foreach (int v in values)
            {
                total += v;
            }
            return total;
        }

        public static string Run()
        {
            int[] small = new int[] { 1, 2 };
            return "sum " + Sum(small);
        }
    }
}
