// The fault tests run the API as child processes and a PostgreSQL cluster, and the property tests load the API in
// process: on a two-core machine they run one after another so that timings stay meaningful.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
