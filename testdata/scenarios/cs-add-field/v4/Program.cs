namespace App
{
    public class Account
    {
        public const int Limit = 100;
        public int Balance;
        public int Bonus = 4;
        public string Owner;
        private long audit;
        private double rate;

        public Account(int balance)
        {
            Balance = balance;
            audit = balance * 1000L;
            rate = 0.5;
        }

        public long Audit()
        {
            return audit + (long)(rate * 10);
        }
    }

    public static class Program
    {
        private static int opened;
        private static string label;
        private static Account last;

        public static string Run()
        {
            opened = 70;
            label = "L" + opened;
            last = new Account(Account.Limit) { Owner = "bob" };
            return "balance: " + (last.Balance + last.Bonus) + " owner: " + last.Owner + " " + label + " audit " + last.Audit();
        }
    }
}
