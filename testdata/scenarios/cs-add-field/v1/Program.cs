namespace App
{
    public class Account
    {
        public int Balance;

        public Account(int balance)
        {
            Balance = balance;
        }
    }

    public static class Program
    {
        public static string Run()
        {
            var a = new Account(5);
            return "balance: " + a.Balance;
        }
    }
}
