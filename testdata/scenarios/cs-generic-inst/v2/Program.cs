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
            Dictionary<string, int> d = new Dictionary<string, int>();
            d["one"] = 1;
            return Describe("hi") + " " + Describe(d["one"]);
        }
    }
}
