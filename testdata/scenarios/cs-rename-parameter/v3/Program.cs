using System;
using System.Linq;
using System.Reflection;

namespace App
{
    public class Shape
    {
        public int Width;
        public int Height;

        public Shape(int w, int h)
        {
            Width = w; Height = h;
        }

        public string Greet(string message, int count)
        {
            return message + count;
        }
    }

    public static class Program
    {
        public static int Scale(int amount, int times)
        {
            return amount * times + 1;
        }

        private static string Names(MethodBase m)
        {
            return m.Name + "(" + string.Join(",", m.GetParameters().Select(p => p.Name)) + ")";
        }

        public static string Run()
        {
            var shape = typeof(Shape);
            return Names(typeof(Program).GetMethod("Scale")) + " " + Names(shape.GetConstructors()[0]) + " "
                + Names(shape.GetMethod("Greet")) + " = " + Scale(3, 4) + " " + new Shape(2, 5).Greet("hi", 2);
        }
    }
}
