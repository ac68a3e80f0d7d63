using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace App
{
    public static class Program
    {
        public static string Run()
        {
            return "fetch " + FetchAsync().Result + " load " + LoadAsync(2).Result
                + " odds " + string.Join(",", Odds(2)) + " evens " + string.Join(",", Evens(3));
        }

        static async Task<string> FetchAsync()
        {
            await Task.Yield();
            return "F";
        }

        static async Task<int> LoadAsync(int n)
        {
            await Task.Yield();
            return n * 10;
        }

        static IEnumerable<int> Odds(int count)
        {
            for (int i = 0; i < count; i++)
            {
                yield return i * 2 + 1;
            }
        }

        static IEnumerable<int> Evens(int count)
        {
            for (int i = 0; i < count; i++)
            {
                yield return i * 2;
            }
        }
    }
}
