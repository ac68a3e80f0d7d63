using System;
using System.ComponentModel;
using System.Linq;
using System.Reflection;

namespace App
{
    [AttributeUsage(AttributeTargets.All, AllowMultiple = true)]
    public sealed class NoteAttribute : Attribute
    {
        public NoteAttribute(string text)
        {
            Text = text;
        }

        public string Text { get; }

        public int Level { get; set; }
    }

    [Description("widget")]
    public class Widget
    {
        [Note("size", Level = 5)]
        public int Size { get; set; }

        [Note("area", Level = 1)] [Note("twice", Level = 2)]
        public int Area(int width, [Note("height")] [Description("h")] int height)
        {
            return width * height;
        }

        [Note("label")]
        public string Label;

        [Note("evt")]
        public event EventHandler Changed;

        public void Raise()
        {
            Changed?.Invoke(this, EventArgs.Empty);
        }
    }

    public static class Program
    {
        private static string Describe(object a)
        {
            if (a is NoteAttribute n)
            {
                return "Note(" + n.Text + "," + n.Level + ")";
            }
            if (a is DescriptionAttribute d)
            {
                return "Description(" + d.Description + ")";
            }
            return a.GetType().Name;
        }

        private static string Notes(ICustomAttributeProvider p)
        {
            var names = p.GetCustomAttributes(false).Select(a => Describe(a)).ToList();
            names.Sort(StringComparer.Ordinal);
            return string.Join("+", names);
        }

        public static string Run()
        {
            var t = typeof(Widget);
            var area = t.GetMethod("Area");
            return "type[" + Notes(t) + "] method[" + Notes(area) + "] property[" + Notes(t.GetProperty("Size"))
                + "] param[" + Notes(area.GetParameters()[1]) + "] field[" + Notes(t.GetField("Label"))
                + "] event[" + Notes(t.GetEvent("Changed")) + "] area " + new Widget().Area(2, 3);
        }
    }
}
