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
            double ratio = count / 2.0;
            List<int> list = new List<int>();
            list.Add(count);
            list.Add(count * 10);
            return name + ":" + count + ":" + ratio.ToString(CultureInfo.InvariantCulture) + ":" + list.Count + "/" + list[1];
        }
    }
}
