using System;

namespace App
{
    public static class Program
    {
        public static string Run()
        {
            Func<int, int> f = x => x * x - 1;
            return "f(10)=" + f(10) + " " + Closure();
        }

        public static string Closure()
        {
            int offset = 50;
            Func<int, int> g = y => y - offset + 1;
            return "g(1)=" + g(1);
        }
    }
}
