using System;

namespace App
{
    public static class Program
    {
        public static int Fail(int x)
        {
            if (x > 0)
            {
                throw new InvalidOperationException("boom " + x);
            }
            return x;
        }

        public static string Run()
        {
            string r = "";
            int steps = 0;
            try
            {
                r = "ok " + Fail(2);
            }
            catch (InvalidOperationException e)
            {
                r = "caught " + e.Message;
            }
            finally
            {
                steps++;
            }
            return r + " finally " + steps;
        }
    }
}
