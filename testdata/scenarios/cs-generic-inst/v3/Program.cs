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
            List<double> list = new List<double>();
            list.Add(1.5);
            return Describe(list) + " " + Describe(list.Count);
        }
    }
}
