using System.Collections.Generic;
using System.Globalization;

namespace App
{
    public struct Point
    {
        public int X;
        public int Y;

        public Point(int x, int y)
        {
            X = x;
            Y = y;
        }

        public override string ToString()
        {
            return "(" + X + "," + Y + ")";
        }
    }

    public static class Program
    {
        public static string Run()
        {
            int count = 3;
            string name = "alpha";
            return name + ":" + count;
        }
    }
}
