using System.Collections.Generic;

namespace App
{
    public static class Program
    {
        public static string Describe<T>(T value)
        {
            return typeof(T).Name + "(" + value + ")";
        }

        public static string Run()
        {
            return Describe(42);
        }
    }
}
