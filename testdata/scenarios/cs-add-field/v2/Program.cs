namespace App
{
    public class Account
    {
        public int Balance;
        public int Bonus = 3;

        public Account(int balance)
        {
            Balance = balance;
        }
    }

    public static class Program
    {
        private static int opened;

        public static string Run()
        {
            opened = 7;
            var a = new Account(5);
            return "balance: " + (a.Balance + a.Bonus) + " opened: " + opened;
        }
    }
}
