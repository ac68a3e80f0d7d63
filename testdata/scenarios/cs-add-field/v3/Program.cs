namespace App
{
    public class Account
    {
        public int Balance;
        public int Bonus = 3;
        public string Owner;
        private long audit;

        public Account(int balance)
        {
            Balance = balance;
            audit = balance * 1000L;
        }

        public long Audit()
        {
            return audit;
        }
    }

    public static class Program
    {
        private static int opened;
        private static string label;

        public static string Run()
        {
            opened = 70;
            label = "L" + opened;
            var a = new Account(6) { Owner = "ann" };
            return "balance: " + (a.Balance + a.Bonus) + " owner: " + a.Owner + " " + label + " audit " + a.Audit();
        }
    }
}
