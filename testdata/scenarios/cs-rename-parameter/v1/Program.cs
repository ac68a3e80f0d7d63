using System;
using System.Linq;
using System.Reflection;

namespace App
{
    public class Shape
    {
        public int Width;
        public int Height;

        public Shape(int width, int height)
        {
            Width = width; Height = height;
        }

        public string Greet(string text, int count)
        {
            return text + count;
        }
    }

    public static class Program
    {
        public static int Scale(int value, int factor)
        {
            return value * factor;
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
