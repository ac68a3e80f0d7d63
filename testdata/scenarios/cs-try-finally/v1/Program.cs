using System;

namespace App
{
    public static class Program
    {
        public static int Fail(int x)
        {
            if (x > 0)
            {
                throw new InvalidOperationException("boom " + x);
            }
            return x;
        }

        public static string Run()
        {
            return "no try: " + Fail(0);
        }
    }
}
