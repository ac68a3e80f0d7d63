using System;

namespace App
{
    public static class Program
    {
        private static ReadOnlySpan<byte> Magic => new byte[] { 7, 1, 2, 3, 4, 5, 6 };

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
            int[] small = new int[] { 10, 20, 30, 41 };
            return "sum " + Sum(small) + " magic " + Magic.Length + ":" + Magic[0] + Magic[6];
        }
    }
}
