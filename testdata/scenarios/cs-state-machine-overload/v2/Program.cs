using System.Threading.Tasks;
namespace App
{
    public static class Program
    {
        public static string Run() => "load " + Load(5).Result + Load().Result;
        static async Task<int> Load(int n) { await Task.Yield(); return n; }
        static async Task<int> Load() { await Task.Yield(); return 1; }
    }
}
