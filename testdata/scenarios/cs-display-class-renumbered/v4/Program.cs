using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace App
{
    public static class Program
    {
        // Closures made by the first call, before any update: after an update each must
        // still run its own lambda (with its new body), never another one.
        static Func<int, int> savedScale;
        static Func<int, int> savedShift;
        static Func<string> savedTally;

        public static string Run()
        {
            savedScale ??= Scale(3);
            savedShift ??= Shift(3);
            var tally = new Tally(5);
            savedTally ??= tally.Report("first");
            return "scaled: " + string.Join(",", new[] { 1, 2, 3 }.Select(Scale(2)))
                + " saved: " + savedScale(10) + " " + savedShift(10) + " twice: " + Twice(7)
                + " greet: " + Greet("ann") + " " + Shout("hey")
                + " steps: " + Steps(4)
                + " sum: " + Sum(1)
                + " load: " + LoadAsync(5).GetAwaiter().GetResult()
                + " show: " + Show(7)
                + " tally: " + tally.Report("now")() + " " + savedTally() + " start: " + tally.Start();
        }

        static int Twice(int v)
        {
            Func<int> f = () => v * 2;
            return f();
        }

        // Captures a parameter and a local.
        static Func<int, int> Scale(int factor)
        {
            int offset = 1;
            return x => x * factor + offset * 100;
        }

        // The same captured variables and lambda signature as Scale's: only the method
        // tells the two display classes apart.
        static Func<int, int> Shift(int factor)
        {
            int offset = 2;
            return x => x - factor - offset;
        }

        static string Shout(string s) => s.ToUpperInvariant();

        static string Greet(string name)
        {
            string prefix = "hi ";
            Func<string, string> f = s => prefix + s + name.Length;
            return f(name);
        }

        // Nested scopes: the loop's display class points to the method's (CS$<>8__locals1).
        static string Steps(int bonus)
        {
            var parts = new List<Func<int>>();
            for (int i = 1; i <= 3; i++)
            {
                int j = i;
                parts.Add(() => j * 100 + bonus);
            }
            return string.Join(",", parts.Select(p => p()));
        }

        // A local function that captures: a struct display class, a local of Sum.
        static int Sum(int a)
        {
            int b = 10;
            int Add(int x) => x * a + b * 2;
            return Add(100);
        }

        // The state machine's MoveNext creates the display class.
        static async Task<int> LoadAsync(int n)
        {
            int k = 3;
            await Task.Yield();
            Func<int> f = () => n * k + 1000;
            return f();
        }

        // A generic display class, created through a MemberRef on its instantiation.
        static string Show<T>(T value)
        {
            string open = "<";
            Func<string> f = () => open + value + value + ">";
            return f();
        }
    }

    public class Tally
    {
        readonly int start;

        public Tally(int start) => this.start = start;

        public int Start() => start;

        // Captures `this`, a parameter and a local: `<>4__this` in the display class.
        public Func<string> Report(string label)
        {
            int count = label.Length;
            return () => label + ":" + (start * 2 + count);
        }
    }
}
