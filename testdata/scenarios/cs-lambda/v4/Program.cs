using System;

namespace App
{
    public static class Program
    {
        public static string Run()
        {
            Func<int, int> f = x => (x + 3) % 7;
            return "f(10)=" + f(10) + " " + Closure();
        }

        public static string Closure()
        {
            int offset = 5;
            Func<int, int> g = y => y * 10 + offset;
            return "g(1)=" + g(1);
        }
    }
}
