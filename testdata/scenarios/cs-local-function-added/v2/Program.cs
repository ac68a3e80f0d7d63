using System;
using System.Linq;

namespace App
{
    public static class Program
    {
        public static string Run()
        {
            int Cube(int v) => v * v * v;
            int Square(int v) => v * v;
            return "values: " + string.Join(",", new[] { 1, 2, 3 }.Select(Square).Select(Cube));
        }
    }
}
