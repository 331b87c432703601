global using Xunit;

// One PostgreSQL, one app server and one Chromium per test: run the tests one after another (the machine has 2 cores).
[assembly: CollectionBehavior(DisableTestParallelization = true)]
