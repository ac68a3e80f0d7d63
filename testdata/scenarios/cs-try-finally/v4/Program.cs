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
                r = "ok " + Fail(3);
            }
            catch (InvalidOperationException e) when (e.Message.Contains("3"))
            {
                r = "filtered " + e.Message;
            }
            catch (Exception e)
            {
                r = "other " + e.Message;
            }
            finally
            {
                steps += 10;
            }
            return r + " steps " + steps;
        }
    }
}
