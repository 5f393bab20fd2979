// One service host at a time: Hangfire keeps some process-wide state (activator, filters), and a production
// process runs one host, so the API test classes run one after another.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
