using System;

namespace App
{
    public static class Program
    {
        public static string Run()
        {
            Func<int, int> f = x => x * 2;
            return "f(10)=" + f(10) + " " + Closure();
        }

        public static string Closure()
        {
            int offset = 7;
            Func<int, int> g = y => y * offset;
            return "g(1)=" + g(1);
        }
    }
}
