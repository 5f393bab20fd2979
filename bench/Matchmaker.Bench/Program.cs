using Matchmaker.Bench.Cordis;

return args.Length > 0 ? args[0] switch
{
    "cordis" => CordisCommand.Run(args[1..]),
    _ => Usage(),
} : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: Matchmaker.Bench cordis <data-dir> --test-year 2019 [--json FILE]");
    return 2;
}
